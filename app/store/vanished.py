"""A ledger that is suddenly missing or empty where one existed is an alarm, never "ok: 0".

Witnesses that a ledger existed, kept beside it: its key (made only together with a database)
and the high-water file (``.nsr``: the highest NSR ever acknowledged). So:

- the database file is gone (or 0 bytes) while its key or high-water file is there:
  "ledger_missing". Nothing is created (a new empty database would silence the alarm on the
  next start); the open stops with a pt-BR message;
- the database has no record while the high-water file says records were acknowledged:
  "ledger_emptied". A security alert is recorded in that database (the sync carries it to
  Central) and the open stops.

To start a new ledger on purpose, IT moves the old files (database, ``.key``, ``.nsr``) away;
to recover, IT restores them from ``ledger backup``. What this cannot see (every file replaced
by a consistent older or newer set): docs/LEDGER-INTEGRITY.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from app.store.errors import ErrorCode, LedgerCorruptError
from app.store.highwater import HighWater, highwater_path, mirror_path
from app.store.keys import key_path

REPEAT_AFTER = timedelta(hours=6)  # the same alarm is recorded again after this


class LedgerVanishedError(LedgerCorruptError):
    """The ledger is missing or empty where one existed; ``kind`` is the alert kind."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message, ErrorCode.CORRUPT)
        self.kind = kind


def refuse_if_missing(path: Path) -> None:
    """Before anything is created: stop when the database is gone but its witnesses remain."""
    try:
        empty_file = not path.exists() or path.stat().st_size == 0
    except OSError:
        return  # unreadable: the open reports it
    witnesses = [
        p.name for p in (key_path(path), highwater_path(path), mirror_path(path)) if p.exists()
    ]
    if empty_file and witnesses:
        raise LedgerVanishedError(missing_text(path, witnesses), "ledger_missing")


def refuse_if_emptied(
    has_records: bool,
    highwater: HighWater,
    record_alert: Callable[[str, str, timedelta], None],
) -> None:
    """After opening: stop when the high-water file says records existed and none is here."""
    if has_records:
        return
    state, _ = highwater.load()  # a mark edited without the key still says records existed
    acknowledged = max((m.nsr for m in state.marks.values()), default=0) if state else 0
    if acknowledged <= 0:
        return
    text = emptied_text(highwater.path, acknowledged)
    record_alert("ledger_emptied", text, REPEAT_AFTER)
    raise LedgerVanishedError(text, "ledger_emptied")


def missing_text(path: Path, witnesses: list[str]) -> str:
    shown = " e ".join(f"o arquivo {w}" for w in witnesses)
    return (
        f"ALERTA: o registro de ponto {path} sumiu (ou está vazio), mas {shown} ao lado dele "
        f"{'mostra' if len(witnesses) == 1 else 'mostram'} que ele existia. Nada foi criado "
        "no lugar. Restaure os "
        "registros da cópia de segurança ('python -m app ledger backup' gravou o banco e a "
        "chave) e guarde os arquivos atuais para análise. Para começar um registro novo de "
        "propósito, mova antes os arquivos '.key' e '.nsr' para outra pasta."
    )


def emptied_text(nsr_file: Path, acknowledged: int) -> str:
    return (
        f"ALERTA: o registro de ponto está vazio, mas o arquivo de controle {nsr_file.name} "
        f"mostra que {acknowledged} registro(s) já tinham sido gravados (até o NSR "
        f"{acknowledged}). Os registros foram apagados ou trocados. Restaure-os da cópia de "
        "segurança e guarde os arquivos atuais para análise; o RH e a TI foram avisados."
    )
