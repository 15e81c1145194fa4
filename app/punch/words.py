"""Every pt-BR word the punch service and its CLI show: flag reasons, punch type labels, lock
messages, and the one table that maps store error codes to messages a person understands.

Store errors carry a code this module maps to a pt-BR headline, and a pt-BR detail (the file,
the NSR, what to run) shown after it for some codes; core errors are already pt-BR. What a
worker, HR or IT reads goes through `user_message(exc)`.
"""

from __future__ import annotations

from datetime import datetime

from app.core import punch_types
from app.core.errors import AudioError, ConfigError, ModelError, PhraseError, PontoVozError
from app.store.errors import ErrorCode as E
from app.store.errors import LedgerError, LedgerKeyError


def type_label(kind: str) -> str:
    return punch_types.label(kind)


# ---- flag reasons (stored in the ledger, exported to HR) ------------------------------------


def not_validated(tries: int) -> str:
    return f"voz não validada após {tries} tentativa{'' if tries == 1 else 's'}"


NO_VOICE_CHECK = "sem verificação de voz"


def voice_check_failed(detail: str) -> str:
    return f"verificação de voz falhou: {detail}"


def greeting(first_name: str, last: str | None) -> str:
    """'Olá, Bruno — última marcação: Entrada 08:02' (``last`` is LastPunch.text)."""
    return f"Olá, {first_name} — última marcação: {last}" if last else f"Olá, {first_name}!"


# ---- lockout ---------------------------------------------------------------------------------

LOCK_SUBJECT = {
    "pin": "a entrada por PIN está bloqueada",
    "pin-value": "esse PIN está bloqueado",
    "badge": "a entrada por crachá está bloqueada",
    "badge-value": "esse crachá está bloqueado",
    "admin": "o acesso do administrador está bloqueado",
}


def locked_message(subject: str, until: datetime) -> str:
    what = LOCK_SUBJECT.get(subject, "o acesso está bloqueado")
    return f"Muitas tentativas erradas: {what} até {until:%H:%M:%S}."


def idle_lock_notice(until: datetime) -> str:
    """For the idle screen: says that someone is locked and until when, never who."""
    return f"Acesso bloqueado por tentativas erradas até {until:%H:%M:%S}."


# ---- CLI messages ----------------------------------------------------------------------------

UNKNOWN_ID = "PIN ou crachá não reconhecido."


def duplicate_message(kind: str, punched_at: str) -> str:
    at = datetime.fromisoformat(punched_at)
    return (
        f"Marcação de {type_label(kind)} já registrada às {at:%H:%M}. Nada foi gravado; se é "
        "isso mesmo, repita com --force."
    )


def receipt_ok(nsr: int, kind: str, punched_at: str, name: str) -> str:
    at = datetime.fromisoformat(punched_at)
    return f"Comprovante confere: NSR {nsr:09d}, {type_label(kind)} em {at:%d/%m/%Y %H:%M}, {name}."


# Store error codes -> pt-BR headlines: the one table.
STORE_CODES: dict[E, str] = {
    E.CPF_INVALID: "CPF inválido: confira os 11 dígitos e os dígitos verificadores.",
    E.CPF_TAKEN: "Esse CPF já está cadastrado.",
    E.PIN_INVALID: "O PIN deve ter de 4 a 8 dígitos (somente números).",
    E.PIN_TAKEN: "Esse PIN já é usado por outro funcionário. Escolha outro.",
    E.BADGE_INVALID: "Crachá inválido: de 1 a 64 caracteres imprimíveis.",
    E.BADGE_TAKEN: "Esse crachá já é usado por outro funcionário.",
    E.NAME_INVALID: "O nome deve ter de 2 a 150 caracteres.",
    E.EMPLOYEE_UNKNOWN: "Funcionário não encontrado.",
    E.PUNCH_TYPE_UNKNOWN: "Tipo de marcação desconhecido: use ENTRADA, INTERVALO, RETORNO, SAIDA.",
    E.PUNCH_UNKNOWN: "Marcação não encontrada.",
    E.TIME_INVALID: "Data ou hora inválida no registro.",
    E.CORRECTION_INVALID: "Uma correção precisa de autor e de uma observação com o motivo.",
    E.EVENT_INVALID: "Evento inválido para o registro.",
    E.MIXED_LEDGER: "O arquivo de registros mistura terminais diferentes; chame o suporte.",
    E.APPEND_ONLY: "Registros de ponto não podem ser alterados nem apagados.",
    E.BUSY: "Registros em uso por outro programa: nada foi gravado; tente de novo.",
    E.DISK_FULL: "Disco cheio: nada foi gravado. Libere espaço e tente de novo.",
    E.CORRUPT: (
        "O arquivo de registros está danificado. Restaure a cópia de segurança e guarde o "
        "arquivo danificado para análise."
    ),
    E.CHAIN_BROKEN: "A cadeia de registros não confere (alteração ou dano).",
    E.KEY_MISSING: (
        "A chave do registro de ponto (arquivo .key ao lado dos registros) não foi encontrada. "
        "Restaure-a da cópia de segurança."
    ),
    E.KEY_WRONG: (
        "A chave do registro de ponto não corresponde a estes registros. Restaure a chave certa "
        "da cópia de segurança."
    ),
    E.SCHEMA_NEWER: "Registros gravados por uma versão mais nova do PontoVoz: atualize o programa.",
    E.IO_ERROR: "Erro de leitura ou gravação no disco.",
    E.DB_ERROR: "Erro no arquivo de registros.",
}

# Codes whose detail (pt-BR too) names a file, an NSR or a command a person must act on: the
# headline comes first, the detail follows in parentheses.
_WITH_DETAIL = {
    E.CORRUPT, E.CHAIN_BROKEN, E.MIXED_LEDGER, E.SCHEMA_NEWER, E.BUSY, E.DISK_FULL, E.IO_ERROR,
    E.DB_ERROR, E.TIME_INVALID, E.EVENT_INVALID,
}  # fmt: skip


def user_message(exc: BaseException) -> str:
    """A pt-BR message for any error the punch CLI can meet."""
    if isinstance(exc, LedgerKeyError):
        return str(exc)  # the store words it in pt-BR, with the path and how to restore it
    if isinstance(exc, LedgerError):
        text = STORE_CODES.get(exc.code, STORE_CODES[E.DB_ERROR])
        return f"{text} ({exc})" if exc.code in _WITH_DETAIL else text
    if isinstance(exc, ConfigError) and not type(exc).__module__.startswith("app.core"):
        return str(exc)  # PinPolicyError, app.settings: worded in pt-BR
    if isinstance(exc, AudioError):
        return f"Áudio inválido ou ilegível ({exc})."
    if isinstance(exc, PhraseError):
        return f"Frase inválida ({exc})."
    if isinstance(exc, ModelError):
        return f"O modelo de voz não pôde ser carregado ({exc})."
    if isinstance(exc, PontoVozError):
        return f"Erro: {exc}"
    return f"Erro inesperado: {exc}"
