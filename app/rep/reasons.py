"""Flag reasons in pt-BR: kiosks of earlier versions stored some in English.

Shared because the kiosk's CSV export and Central's HR pages show the same stored reason; the
ledger itself is never rewritten.
"""

from __future__ import annotations

import functools
import re

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
