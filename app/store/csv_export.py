"""CSV for payroll: UTF-8 (with BOM, so spreadsheet programs detect it), one row per punch.

Headers, punch types and yes/no values are pt-BR (HR reads this file). Flag reasons written by
older versions in English are translated (`app.rep.reasons`); the ledger itself is never rewritten.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from app.core import punch_types
from app.rep.cpf import format_cpf
from app.rep.reasons import reason_pt
from app.rep.records import Punch
from app.rep.sheets import safe_row
from app.store.models import Correction

COLUMNS = (
    "nsr", "terminal", "uuid", "nome", "cpf", "tipo", "data", "hora", "marcado_em",
    "gravado_em", "frase_pedida", "transcricao", "voz_validada", "metodo", "tentativas",
    "em_revisao", "motivo_revisao", "validado_nuvem", "offline", "correcoes", "hash",
)  # fmt: skip


def _yes(value: bool | None) -> str:
    return "" if value is None else ("sim" if value else "não")


def build_csv(punches: Sequence[Punch], corrections: Sequence[Correction] = ()) -> bytes:
    notes: dict[str, list[str]] = {}
    for c in corrections:
        change = ", ".join(x for x in (c.new_type, c.new_punched_at) if x)
        notes.setdefault(c.punch_uuid, []).append(
            f"{c.created_at} {c.author}: {c.note}" + (f" -> {change}" if change else "")
        )
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in punches:
        writer.writerow(
            safe_row(
                [
                    p.nsr,
                    p.kiosk_id,
                    p.uuid,
                    p.employee_name,
                    format_cpf(p.cpf),
                    punch_types.label(p.type),
                    p.punched_at[:10],
                    p.punched_at[11:16],
                    p.punched_at,
                    p.recorded_at,
                    p.expected,
                    p.transcript.strip(),
                    _yes(p.validated),
                    p.method,
                    p.tries,
                    _yes(p.flagged),
                    reason_pt(p.flag_reason),
                    _yes(p.cloud_validated),
                    _yes(p.offline),
                    " | ".join(notes.get(p.uuid, [])),
                    p.hash,
                ]
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
