"""Every pt-BR word the punch service and its CLI show: flag reasons, punch type labels, lock
messages, and the one table that maps store error codes to messages a person understands.

Store and core errors stay English internally (developers and logs); what a worker, HR or IT
reads goes through `user_message(exc)`.
"""

from __future__ import annotations

from datetime import datetime

from app.core.errors import AudioError, ConfigError, ModelError, PhraseError, PontoVozError
from app.core.punch_types import label as type_label

__all__ = ["type_label"]  # re-exported: screens and the CLI take every word from here


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


# Store error codes (app.store.errors.ErrorCode values) -> pt-BR. Keys are the codes' string
# values, so this table works with any store version that sets ``exc.code``.
STORE_CODES = {
    "cpf_invalid": "CPF inválido: confira os 11 dígitos e os dígitos verificadores.",
    "cpf_taken": "Esse CPF já está cadastrado.",
    "pin_invalid": "O PIN deve ter de 4 a 8 dígitos (somente números).",
    "pin_taken": "Esse PIN já é usado por outro funcionário. Escolha outro.",
    "badge_invalid": "Crachá inválido: de 1 a 64 caracteres imprimíveis.",
    "badge_taken": "Esse crachá já é usado por outro funcionário.",
    "name_invalid": "O nome deve ter de 2 a 150 caracteres.",
    "employee_unknown": "Funcionário não encontrado.",
    "punch_type_unknown": "Tipo de marcação desconhecido: use ENTRADA, INTERVALO, RETORNO ou "
    "SAIDA.",
    "punch_unknown": "Marcação não encontrada.",
    "time_invalid": "Data ou hora inválida no registro.",
    "correction_invalid": "Uma correção precisa de autor e de uma observação dizendo o motivo.",
    "event_invalid": "Evento inválido para o registro.",
    "mixed_ledger": "O arquivo de registros mistura terminais diferentes; chame o suporte.",
    "append_only": "Registros de ponto não podem ser alterados nem apagados.",
    "busy": "O arquivo de registros está em uso por outro programa; nada foi gravado. Tente de "
    "novo.",
    "disk_full": "Disco cheio: nada foi gravado. Libere espaço e tente de novo.",
    "corrupt": "O arquivo de registros está danificado. Restaure a cópia de segurança e guarde o "
    "arquivo danificado para análise.",
    "chain_broken": "A cadeia de registros não confere (alteração ou dano).",
    "key_missing": "A chave do terminal (arquivo .key ao lado dos registros) não foi encontrada. "
    "Restaure-a da cópia de segurança.",
    "key_wrong": "A chave do terminal não corresponde a estes registros. Restaure a chave certa "
    "da cópia de segurança.",
    "schema_newer": "Os registros foram gravados por uma versão mais nova do PontoVoz; atualize "
    "o programa.",
    "io_error": "Erro de leitura ou gravação no disco.",
    "db_error": "Erro no arquivo de registros.",
}

# Until every store error carries a code: the class name decides.
_STORE_CLASSES = {
    "CpfError": "cpf_invalid",
    "LedgerBusyError": "busy",
    "DiskFullError": "disk_full",
    "LedgerCorruptError": "corrupt",
    "ChainBrokenError": "chain_broken",
    "LedgerKeyError": "key_missing",
}


def user_message(exc: BaseException) -> str:
    """A pt-BR message for any error the punch CLI can meet; the English detail is kept only
    where it names a file or value a person must act on."""
    code = getattr(exc, "code", None)
    code = getattr(code, "value", code) or _STORE_CLASSES.get(type(exc).__name__)
    if code in ("key_missing", "key_wrong"):
        return str(exc)  # the store's own pt-BR text names the key file and `ledger backup`
    if isinstance(code, str) and code in STORE_CODES and code not in ("db_error", "io_error"):
        return STORE_CODES[code]
    if type(exc).__name__ == "EmployeeError":
        return _employee_error(str(exc))
    if isinstance(exc, ConfigError) and not type(exc).__module__.startswith("app.core"):
        return str(exc)  # PinPolicyError and other pt-BR configuration messages
    if isinstance(exc, AudioError):
        return f"Áudio inválido ou ilegível ({exc})."
    if isinstance(exc, PhraseError):
        return f"Frase inválida ({exc})."
    if isinstance(exc, ModelError):
        return f"O modelo de voz não pôde ser carregado ({exc})."
    if isinstance(code, str) and code in STORE_CODES:
        return f"{STORE_CODES[code]} ({exc})"
    if isinstance(exc, PontoVozError):
        return f"Erro: {exc}"
    return f"Erro inesperado: {exc}"


def _employee_error(text: str) -> str:
    """Older store versions: EmployeeError without a code; the message tells which case."""
    if "already registered" in text:
        return STORE_CODES["cpf_taken"]
    if "PIN is already used" in text:
        return STORE_CODES["pin_taken"]
    if "BADGE is already used" in text:
        return STORE_CODES["badge_taken"]
    if "PIN must be" in text:
        return STORE_CODES["pin_invalid"]
    if "badge must be" in text:
        return STORE_CODES["badge_invalid"]
    if "name must be" in text:
        return STORE_CODES["name_invalid"]
    return STORE_CODES["employee_unknown"]
