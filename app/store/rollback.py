"""The local half of the rollback check, run at every open: the high-water mirror (``.nsr2``,
`highwater`) must exist once this version has made it, and the marks must not be ahead of the
database or of each other. Anything wrong becomes a "ledger_rollback" security alert (the sync
carries it to Central) and `ledger verify` fails; punches go on, with NSRs above every mark.

Why a flag in the database: a missing mirror is legitimate only the first time this version
opens a ledger, or when a backup copy is opened (`ledger backup` leaves the flag and the mirror
out). The flag (``meta.nsr_mirror``, a keyed MAC) says "made": a mirror deleted under it is
reported (alert, and `ledger verify` fails until the next record writes the mirror again).
A copy opened without flag is taken as a restore: the mirror is made from its records and a
"ledger_restored" alert tells Central, which alone can tell a restore from a rollback (an
attacker able to run SQL can make the ledger look like a restored backup).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from app.store.db import Database
from app.store.highwater import HighWater, HighWaterState, Mark
from app.store.keys import LedgerKey
from app.store.records import kiosks, newest

FLAG = "nsr_mirror"
REPEAT_AFTER = timedelta(hours=6)
AlertOnce = Callable[[str, str, timedelta], None]


def forget_mirror(copy: Path) -> None:
    """In a backup copy: drop the flag, so the copy opened elsewhere (a restore) makes its own
    mirror instead of reporting the live one missing. A restore is a rollback by nature: the
    kiosk alone cannot tell one from the other (Central can, by its anchor)."""
    conn = sqlite3.connect(copy)
    try:
        with conn:
            conn.execute("DELETE FROM meta WHERE key = ?", (FLAG,))
    finally:
        conn.close()


def flag_value(key: LedgerKey, ledger_id: str) -> str:
    return key.mac("nsr-mirror", ledger_id)


def mirror_problems(
    c: sqlite3.Connection, hw: HighWater, key: LedgerKey, ledger_id: str
) -> list[str]:
    """What `ledger verify` reports about the mirror and its flag (English: for support)."""
    row = c.execute("SELECT value FROM meta WHERE key = ?", (FLAG,)).fetchone()
    if row is None:
        return []  # a copy opened elsewhere: `check_at_open` made its mirror and told Central
    if row[0] != flag_value(key, ledger_id):
        return [f"meta row {FLAG} was edited without the key"]
    if not hw.mirror_exists():
        return ["high-water mirror (.nsr2) is missing (deleted, or a backup restored elsewhere)"]
    return []


def check_at_open(
    db: Database, hw: HighWater, key: LedgerKey, ledger_id: str, first_open: bool, alert: AlertOnce
) -> None:
    """Make the mirror when this version first opens the ledger; afterwards report a missing
    mirror or flag, a ``.nsr`` older than its mirror, and marks ahead of the records."""
    with db.read() as c:
        flagged = c.execute("SELECT 1 FROM meta WHERE key = ?", (FLAG,)).fetchone() is not None
        restored = not first_open and not flagged
        problems = [] if first_open or restored else mirror_problems(c, hw, key, ledger_id)
        heads = {k: newest(c, k, "mac") for k in kiosks(c)}
    state, _ = hw.load()
    primary, _ = hw.load_primary()
    marks = dict(state.marks) if state else {}
    for kiosk, mark in marks.items():
        have = heads.get(kiosk, (0, ""))[0]
        if have < mark.nsr:
            problems.append(f"kiosk {kiosk}: records NSR {have + 1}..{mark.nsr} are missing")
        mine = primary.marks.get(kiosk) if primary else None
        if mine is None or mine.nsr < mark.nsr:
            problems.append(f"kiosk {kiosk}: the .nsr file is older than its mirror")
    if (first_open or restored) and not hw.mirror_exists():  # make the mirror
        merged = dict(marks)
        for kiosk, (nsr, mac) in heads.items():
            if nsr > merged.get(kiosk, Mark(0, "")).nsr:
                merged[kiosk] = Mark(nsr, mac)
        hw.write_mirror(HighWaterState(state.ledger_id if state else ledger_id, merged))
    if not flagged:
        with db.write() as c:
            c.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (FLAG, flag_value(key, ledger_id)),
            )
    if problems:
        alert("ledger_rollback", rollback_text(problems), REPEAT_AFTER)
    elif restored:
        alert("ledger_restored", restored_text(heads), REPEAT_AFTER)


def restored_text(heads: dict[str, tuple[int, str]]) -> str:
    last = ", ".join(f"coletor {k}: NSR {nsr}" for k, (nsr, _) in sorted(heads.items()))
    return (
        "Os registros de ponto deste terminal foram abertos a partir de uma cópia de segurança "
        f"(restauração) ou tiveram o controle de NSR apagado. Último registro: {last or 'nenhum'}. "
        "Se ninguém restaurou uma cópia, compare com a Central: pode ser uma volta no tempo do "
        "registro."
    )


def rollback_text(problems: list[str]) -> str:
    return (
        "ALERTA: o controle de NSR deste terminal indica que registros de ponto foram apagados "
        "ou que arquivos foram trocados por cópias antigas (possível volta no tempo do "
        "registro). As próximas marcações continuam com NSR acima do maior já usado. Rode "
        "'python -m app ledger verify', compare com a Central e com a cópia de segurança. "
        f"Detalhes técnicos: {'; '.join(problems)}"
    )
