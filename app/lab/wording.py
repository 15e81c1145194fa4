"""How people say a punch phrase aloud in pt-BR: digits or words, feminine hours, meio-dia,
"em ponto", "e meia", 12-hour casual forms. Used by the corpus; never by the product."""

from __future__ import annotations

import random

from app.core import punch_types
from app.core.scoring import words

# Drawing order matters: a corpus seed must keep giving the same clips.
TYPE_SPOKEN = {
    code: punch_types.label(code) for code in ("ENTRADA", "SAIDA", "INTERVALO", "RETORNO")
}
# How the expected phrase may be written by the front (docs/FIGURES.md, report-set conditions:
# "SAIDA 8 05", "SAÍDA 8 5").
TYPE_WRITTEN = {"ENTRADA": "ENTRADA", "SAIDA": "SAÍDA", "INTERVALO": "PAUSA", "RETORNO": "RETORNO"}

# pt-BR number words for 0-59 ("vinte e uma" when feminine): the core's, one spelling everywhere
number_words = words


def period_of(hour: int) -> str:
    if hour < 6:
        return "da madrugada"
    if hour < 12:
        return "da manhã"
    if hour < 19:
        return "da tarde"
    return "da noite"


def time_phrase(hour: int, minute: int, style: str) -> str:
    """The time part alone, in one named style."""
    hw = number_words(hour, feminine=True)
    mw = number_words(minute)
    if style == "named" and hour in (0, 12):
        name = "meio-dia" if hour == 12 else "meia-noite"
        return name if minute == 0 else f"{name} e {'meia' if minute == 30 else mw}"
    if style == "ponto" and minute == 0:
        return f"{hw} em ponto"
    if style == "meia" and minute == 30:
        return f"{hw} e meia"
    if style == "casual" and hour not in (0, 12):
        h12 = hour % 12
        spoken = number_words(h12, feminine=True)
        return f"{spoken} e {mw}" if minute else f"{spoken} horas"
    if style == "casual_period" and hour not in (0, 12):
        h12 = hour % 12
        spoken = number_words(h12, feminine=True)
        return f"{spoken} e {mw} {period_of(hour)}" if minute else f"{spoken} {period_of(hour)}"
    if style == "words" and not (hour == 20 and minute < 10):  # "vinte e um" is 21, not 20:01
        return f"{hw} horas" if minute == 0 else f"{hw} e {mw}"
    if style in ("words", "words_units"):
        return f"{hw} horas" if minute == 0 else f"{hw} horas e {mw} minutos"
    if style == "digits_units":
        return f"{hour} horas" if minute == 0 else f"{hour} horas e {minute} minutos"
    if style == "digits_horas":
        return f"{hour} horas" if minute == 0 else f"{hour} horas e {minute}"
    if style == "digits_clock":
        return f"{hour} {minute:02d}" if minute else f"{hour} horas"
    return f"{hour} horas" if minute == 0 else f"{hour} e {minute}"  # "digits"


STYLES = (
    "digits",
    "digits",
    "digits_units",
    "digits_horas",
    "digits_clock",
    "words",
    "words",
    "words_units",
    "named",
    "ponto",
    "meia",
    "casual",
    "casual_period",
)


def pick_style(rng: random.Random, hour: int, minute: int) -> str:
    """A style that fits the time (named hours only at 0/12, "e meia" only at :30)."""
    if hour in (0, 12) and rng.random() < 0.6:
        return "named"
    if minute == 0 and rng.random() < 0.4:
        return "ponto"
    if minute == 30 and rng.random() < 0.4:
        return "meia"
    style = rng.choice(STYLES)
    if style in ("named", "ponto", "meia") or (style.startswith("casual") and hour in (0, 12)):
        return "digits"
    return style


def type_phrase(kind: str, rng: random.Random) -> str:
    """The spoken type word ('Pausa' for INTERVALO now and then)."""
    if kind == "INTERVALO" and rng.random() < 0.25:
        return "Pausa"
    return TYPE_SPOKEN[kind]


def written_expected(kind: str, hour: int, minute: int, rng: random.Random) -> str:
    """The expected phrase as a front would send it: 'SAIDA 08 05', 'SAÍDA 8 5', 'PAUSA 9 0'."""
    word = TYPE_WRITTEN[kind] if rng.random() < 0.3 else kind
    if rng.random() < 0.5:
        return f"{word} {hour:02d} {minute:02d}"
    return f"{word} {hour} {minute}"
