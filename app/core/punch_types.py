"""Punch types: the one home for their codes, spoken words, labels and daily order.

The code ("SAIDA") is what is stored, exported and sent to the API; the label ("Saída") is what a
worker reads; ``words`` are what a person may say (accent-free, lower case; the transcript is
normalised the same way before comparing); ``next`` is the likely next punch the same day.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PunchType:
    code: str
    label: str
    words: tuple[str, ...]
    next: str | None


PUNCH_TYPES: tuple[PunchType, ...] = (
    PunchType("ENTRADA", "Entrada", ("entrada",), "INTERVALO"),
    PunchType("INTERVALO", "Intervalo", ("intervalo", "pausa"), "RETORNO"),
    PunchType("RETORNO", "Retorno", ("retorno",), "SAIDA"),
    PunchType("SAIDA", "Saída", ("saida",), None),
)

#: Canonical codes in the order a working day goes.
CODES: tuple[str, ...] = tuple(t.code for t in PUNCH_TYPES)
#: code -> label a worker reads ("SAIDA" -> "Saída").
LABELS: dict[str, str] = {t.code: t.label for t in PUNCH_TYPES}
#: code -> words a person may say for it.
WORDS: dict[str, tuple[str, ...]] = {t.code: t.words for t in PUNCH_TYPES}
#: The first punch of a day.
FIRST = CODES[0]


def label(code: str) -> str:
    """ "Saída" for "SAIDA"; an unknown (configured) code is shown capitalised."""
    return LABELS.get(code, code.capitalize())


def challenge_word(code: str) -> str:
    """The type as the challenge shows it, upper case with its accents: "SAÍDA"."""
    return label(code).upper()


def next_after(code: str | None) -> str:
    """The likely next punch after ``code`` today (none yet, or after SAIDA: ENTRADA)."""
    for t in PUNCH_TYPES:
        if t.code == code and t.next:
            return t.next
    return FIRST
