"""CSV for payroll: UTF-8 (with BOM, so spreadsheet programs detect it), one row per punch.

Headers, punch types and yes/no values are pt-BR (HR reads this file). Flag reasons written by
older versions in English are translated here; the ledger itself is never rewritten.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Sequence

from app.core import punch_types
from app.store.cpf import format_cpf
from app.store.models import Correction, Punch

COLUMNS = (
    "nsr", "terminal", "uuid", "nome", "cpf", "tipo", "data", "hora", "marcado_em",
    "gravado_em", "frase_pedida", "transcricao", "voz_validada", "metodo", "tentativas",
    "em_revisao", "motivo_revisao", "validado_nuvem", "offline", "correcoes", "hash",
)  # fmt: skip
_LEGACY_REASONS = (  # English flag reasons of earlier versions -> pt-BR
    (re.compile(r"voice not validated after (\d+) tr(?:y|ies)"),
     "voz não validada após {0} tentativas"),
    (re.compile(r"voice check failed: "), "verificação de voz falhou: "),
    (re.compile(r"voice check unavailable: "), "verificação de voz indisponível: "),
    (re.compile(r"previous record has an unreadable time \((.*?)\): check the ledger"),
     "registro anterior com hora ilegível ({0}): verifique os registros"),
    (re.compile(r"no voice check"), "sem verificação de voz"),
    (re.compile(r"clock moved backwards: device time (\S+) is before the previous record "
                r"\((\S+)\)"),
     "relógio atrasado: hora do terminal {0} anterior ao registro anterior ({1})"),
)  # fmt: skip


def reason_pt(reason: str) -> str:
    """A stored flag reason in pt-BR (older records may hold English ones)."""
    for pattern, words in _LEGACY_REASONS:
        reason = pattern.sub(functools.partial(_fill, words), reason)
    return reason.replace("após 1 tentativas", "após 1 tentativa")


def _fill(words: str, match: re.Match[str]) -> str:
    return words.format(*match.groups())


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
    return ("\ufeff" + out.getvalue()).encode("utf-8")
