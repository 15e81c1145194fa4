"""Store errors in Portuguese, in one table: the kiosk maps each error's code, never its text.

The store gives each error a code (``exc.code``, an ``ErrorCode``); until every error carries
one, the error's class stands in for it. Anything unknown gets a generic message that still
says what to do.
"""

from __future__ import annotations

from app.store import errors

MESSAGES: dict[str, str] = {
    "CPF_INVALID": "CPF inválido. Confira os 11 dígitos.",
    "CPF_TAKEN": "Esse CPF já está cadastrado.",
    "PIN_TAKEN": "Esse PIN já pertence a outro funcionário.",
    "PIN_INVALID": "O PIN deve ter de 4 a 8 dígitos.",
    "PIN_WEAK": "Esse PIN é fácil demais de adivinhar. Escolha outro.",
    "BADGE_TAKEN": "Esse crachá já pertence a outro funcionário.",
    "BADGE_INVALID": "Crachá: apenas letras e números.",
    "NAME_INVALID": "Informe o nome completo do funcionário.",
    "EMPLOYEE_UNKNOWN": "Funcionário não encontrado.",
    "LEDGER_BUSY": "O registro de ponto está ocupado. Tente de novo em instantes.",
    "DISK_FULL": "Disco cheio. Chame o administrador.",
    "LEDGER_CORRUPT": "O arquivo do registro de ponto está danificado. Chame o administrador.",
    "CHAIN_BROKEN": "O registro de ponto foi alterado fora do PontoVoz. Chame o administrador.",
    "KEY_MISSING": "A chave do registro de ponto não foi encontrada. Chame o administrador.",
}

_BY_CLASS: tuple[tuple[type, str], ...] = (
    (errors.CpfError, "CPF_INVALID"),
    (errors.LedgerBusyError, "LEDGER_BUSY"),
    (errors.DiskFullError, "DISK_FULL"),
    (errors.LedgerCorruptError, "LEDGER_CORRUPT"),
    (errors.ChainBrokenError, "CHAIN_BROKEN"),
)

GENERIC = "Não foi possível concluir a operação no registro de ponto. Chame o administrador."
GENERIC_EMPLOYEE = (
    "Não foi possível salvar o funcionário: confira se o CPF, o PIN e o crachá já não "
    "pertencem a outra pessoa."
)


def error_code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    if code is not None:
        return str(getattr(code, "name", code))
    for kind, name in _BY_CLASS:
        if isinstance(exc, kind):
            return name
    return ""


def store_message(exc: BaseException) -> str:
    """The pt-BR sentence for a store error (or an OSError) a person can act on."""
    code = error_code(exc)
    if code in MESSAGES:
        return MESSAGES[code]
    if isinstance(exc, errors.EmployeeError):
        return GENERIC_EMPLOYEE
    if isinstance(exc, OSError):
        return f"erro do sistema ({exc.strerror or exc})"
    return GENERIC
