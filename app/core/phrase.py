"""The expected phrase, 'TYPE H M' (e.g. 'ENTRADA 13 40'), parsed into a typed Phrase."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from app.core.config import DEFAULT_PUNCH_TYPES
from app.core.errors import PhraseError


@dataclass(frozen=True)
class Phrase:
    """A punch challenge: canonical type (e.g. 'INTERVALO' also for 'PAUSA'), hour, minute."""

    type: str
    hour: int
    minute: int

    def text(self) -> str:
        return f"{self.type} {self.hour:02d} {self.minute:02d}"

    def __str__(self) -> str:
        return self.text()


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def canonical_type(word: str, punch_types: Mapping[str, tuple[str, ...]]) -> str | None:
    """Canonical punch type for a word ('saída' -> 'SAIDA', 'pausa' -> 'INTERVALO'), or None."""
    w = strip_accents(word).lower()
    for canonical, words in punch_types.items():
        if w == strip_accents(canonical).lower() or w in words:
            return canonical
    return None


# ASCII digits only: "\d" alone also takes "١٣" (Arabic-Indic) or "１３" (full-width), which
# int() would then read as 13 (tests/core/test_phrase_config.py).
_SHAPE = re.compile(r"^(\S+) ([0-9]{1,2}) ([0-9]{1,2})$")


def parse_expected(
    text: str, punch_types: Mapping[str, tuple[str, ...]] = DEFAULT_PUNCH_TYPES
) -> Phrase:
    """Parse 'TYPE H M'; case/accent-insensitive, spaces tolerated. Raises PhraseError."""
    if not isinstance(text, str):
        raise PhraseError("expected_speech deve ser um texto como 'ENTRADA 13 40'")
    cleaned = " ".join(text.split())
    if any(c.isdigit() and not c.isascii() for c in cleaned):
        raise PhraseError(f"escreva a hora e o minuto com os algarismos 0-9; recebido {text!r}")
    m = _SHAPE.match(cleaned)
    if not m:
        raise PhraseError(
            f"expected_speech deve ser 'TIPO HORA MINUTO', como 'ENTRADA 13 40'; recebido {text!r}"
        )
    word, hour, minute = m.group(1), int(m.group(2)), int(m.group(3))
    kind = canonical_type(word, punch_types)
    if kind is None:
        names = ", ".join(punch_types)
        raise PhraseError(f"tipo de marcação desconhecido {word!r}; use um destes: {names}")
    if not 0 <= hour <= 23:
        raise PhraseError(f"a hora deve estar entre 0 e 23; recebido {hour}")
    if not 0 <= minute <= 59:
        raise PhraseError(f"o minuto deve estar entre 0 e 59; recebido {minute}")
    return Phrase(kind, hour, minute)
