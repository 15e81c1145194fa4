"""CSV for payroll: UTF-8 (with BOM, so spreadsheet programs detect it), one row per punch."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from app.store.cpf import format_cpf
from app.store.models import Correction, Punch

COLUMNS = (
    "nsr", "kiosk_id", "uuid", "employee_name", "cpf", "type", "date", "time", "punched_at",
    "recorded_at", "expected", "transcript", "validated", "method", "tries", "flagged",
    "flag_reason", "cloud_validated", "offline", "corrections", "hash",
)  # fmt: skip


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
            [
                p.nsr,
                p.kiosk_id,
                p.uuid,
                p.employee_name,
                format_cpf(p.cpf),
                p.type,
                p.punched_at[:10],
                p.punched_at[11:16],
                p.punched_at,
                p.recorded_at,
                p.expected,
                p.transcript.strip(),
                int(p.validated),
                p.method,
                p.tries,
                int(p.flagged),
                p.flag_reason,
                "" if p.cloud_validated is None else int(p.cloud_validated),
                int(p.offline),
                " | ".join(notes.get(p.uuid, [])),
                p.hash,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
