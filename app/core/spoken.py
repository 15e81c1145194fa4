"""Turn a Whisper (pt) transcript into the (type, hour, minute) the worker said.

The verifier compares numbers as numbers: a fuzzy string ratio cannot tell "13 40" from "13 41"
(docs/MODEL-NOTES.md, "Traps"). Whisper writes the same phrase in many ways ("13 horas e 40", "treze
e quarenta", "13h40", "1340", "uma e quarenta da tarde", "vinte para as duas"), so the text is
normalised (accents, case, ``text2num`` for number words) and then read by a small grammar with the
clock rules ``text2num`` lacks (feminine hours, meio-dia, "e meia", "em ponto", "M para as H", "da
tarde"). Only the first time expression is read: with a short window greedy decoding repeats the
phrase, and a sentence end closes an expression.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz
from text_to_num import alpha2digit

from app.core.config import DEFAULT_PUNCH_TYPES
from app.core.phrase import Phrase, canonical_type, strip_accents

__all__ = ["SpokenTime", "hour_guess", "parse_spoken", "resolve"]


@dataclass(frozen=True)
class SpokenTime:
    """What was heard; any field may be missing (None). Hours keep 12-hour speech (1-12)."""

    type: str | None
    hour: int | None
    minute: int | None
    period: str | None  # "manha" | "tarde" | "noite" | "madrugada"
    text: str
    # The hour came as "de 8" / "desde 7": Whisper's spelling of "dezoito" / "dezessete", so
    # it may be 18 as well as 8 ("Saída de 8 e 55" for 18 55, "Retorno de 9.39" for 19 39;
    # docs/FIGURES.md, "Issue 11, stop 20").
    teen: bool = False


# Number words text2num leaves alone when they stand by themselves (feminine hours, "um",
# "zero"), plus spellings it does not know.
_WORDS: dict[str, int] = {
    "zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
    "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12,
    "dezasete": 17, "cincoenta": 50,
}  # fmt: skip
_HOUR_MARKS = frozenset({"hora", "horas", "h", "hs", "hr", "hrs"})
_MINUTE_MARKS = frozenset({"minuto", "minutos", "min", "mins"})
_TO = frozenset({"para", "pra", "pras", "pro"})
_ARTICLES = frozenset({"a", "as", "o", "os"})
_PERIODS = frozenset({"manha", "tarde", "noite", "madrugada"})
_PERIOD_LEADS = frozenset({"da", "de", "pela", "na", "a"})
_STOP = "."  # sentence end; a time expression never crosses one
_TEEN_LEADS = frozenset({"de", "desde", "des", "dis"})  # "dezoito" written "de 8", "desde 7"
_NEAR_TYPE_MIN = 80.0  # rapidfuzz ratio for a misspelt type word ("intervallo": 94)
_NEAR_TYPE_GAP = 15.0  # ...and this much closer to it than to any other type
_PERIOD_REACH = 5  # how many tokens after the time a "da tarde" may follow

# 24-hour ranges each period allows; 0 is night ("meia-noite", "doze da noite").
_PERIOD_HOURS: dict[str, frozenset[int]] = {
    "manha": frozenset(range(0, 12)),
    "madrugada": frozenset(range(0, 7)),
    "tarde": frozenset(range(12, 20)),
    "noite": frozenset({*range(18, 24), 0}),
}

Token = int | str  # a number, a word, or _STOP


def _normalise(text: str) -> str:
    """Lower-case, accent-free text with number words as digits and clock formats split."""
    s = strip_accents(text).lower().replace("-", " ")
    s = alpha2digit(s, "pt")
    # "20 e uma" is 21 h: minutes are masculine ("vinte e um minutos"), hours feminine
    s = re.sub(
        r"(?<!\d )(?<![\d.:,])20 e (uma|duas)\b", lambda m: "21" if m[1] == "uma" else "22", s
    )
    # 13:40 and 13.40 (a period with no space is no sentence end). A clock writes two minute
    # digits: "3.0" is a decimal, not 3:00 (Whisper wrote it for "3 01").
    s = re.sub(r"(\d)\s*:\s*(\d\d)(?!\d)", r"\1 \2", s)
    s = re.sub(r"(\d)\.(\d\d)(?!\d)", r"\1 \2", s)
    s = re.sub(r"(\d)[.:](\d)", r"\1 _ \2", s)  # any other digit.digit: not a time
    s = re.sub(r"(\d)([a-z])", r"\1 \2", s)  # 13h40, 13hs
    s = re.sub(r"([a-z])(\d)", r"\1 \2", s)
    return s


def _split_run(digits: str) -> list[Token]:
    """A 3-4 digit run ("1340", "515": Whisper merges H MM) as hour and minute when valid."""
    if len(digits) in (3, 4):
        hour, minute = int(digits[:-2]), int(digits[-2:])
        if hour <= 23 and minute <= 59:
            return [hour, minute]
    return [int(digits)]


def _tokens(norm: str) -> list[Token]:
    """Numbers as ints, words as str, sentence ends as _STOP; other punctuation is dropped."""
    out: list[Token] = []
    for piece in re.findall(r"\d+|[a-z_]+|[.!?;]", norm):
        if piece.isdigit():
            out.extend(_split_run(piece))
        elif piece in "!?;.":
            out.append(_STOP)
        else:
            out.append(_WORDS.get(piece, piece))
    return out


def _at(tokens: list[Token], i: int) -> Token | None:
    return tokens[i] if 0 <= i < len(tokens) else None


def _named_hour(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """(hour, next index) for "meio dia" (12) or "meia noite" (0) at i, else None."""
    pair = (_at(tokens, i), _at(tokens, i + 1))
    if pair == ("meio", "dia"):
        return 12, i + 2
    if pair == ("meia", "noite"):
        return 0, i + 2
    return None


def _hour_at(tokens: list[Token], i: int) -> tuple[int, int, bool] | None:
    """(hour, next index, named) for a number or a named hour at i, else None."""
    named = _named_hour(tokens, i)
    if named:
        return named[0], named[1], True
    tok = _at(tokens, i)
    if isinstance(tok, int):
        return tok, i + 1, False
    return None


def _to_form(tokens: list[Token], i: int) -> tuple[int, int, int] | None:
    """'M para as H' (e.g. "vinte para as duas" = 1:40): (hour, minute, next index) or None."""
    minutes = _at(tokens, i)
    if not isinstance(minutes, int) or not 1 <= minutes <= 59:
        return None
    j = i + 1
    if _at(tokens, j) in _MINUTE_MARKS:
        j += 1
    if _at(tokens, j) not in _TO:
        return None
    j += 1
    if _at(tokens, j) in _ARTICLES:
        j += 1
    target = _hour_at(tokens, j)
    if target is None:
        return None
    hour, j, named = target
    if _at(tokens, j) in _HOUR_MARKS:
        j += 1
    # "para o meio-dia" = 11, "para a meia-noite" = 23; "para a uma" is 12:45 in 12-hour speech
    before = (hour - 1) % 24 if named or hour != 1 else 12
    return before, 60 - minutes, j


def _clock_form(tokens: list[Token], i: int) -> tuple[int, int | None, int] | None:
    """'H [horas] [e] M [minutos]', "e meia", "em ponto": (hour, minute or None, next index)."""
    start = _hour_at(tokens, i)
    if start is None:
        return None
    hour, j, whole = start  # a named hour alone ("meio-dia") is a whole hour
    if _at(tokens, j) in _HOUR_MARKS:
        whole, j = True, j + 1
    if _at(tokens, j) == "em" and _at(tokens, j + 1) == "ponto":
        return hour, 0, j + 2
    # "13 e 40"; Whisper often hears the "e" after "horas" as "de" ("8 horas de 23")
    k = j + 1 if _at(tokens, j) in ("e", "de") else j
    tok = _at(tokens, k)
    if isinstance(tok, int):
        k += 1
        if _at(tokens, k) in _MINUTE_MARKS:
            k += 1
        return hour, tok, k
    if tok == "meia" and _at(tokens, k + 1) != "noite":
        return hour, 30, k + 1
    return hour, (0 if whole else None), j


def _period_after(tokens: list[Token], j: int) -> str | None:
    """The period ("da tarde") that follows a time expression closely, within its sentence."""
    for k in range(j, min(j + _PERIOD_REACH, len(tokens))):
        tok = tokens[k]
        if tok == _STOP:
            return None
        if isinstance(tok, str) and tok in _PERIODS and _at(tokens, k - 1) in _PERIOD_LEADS:
            return tok
    return None


def _first_type(tokens: list[Token], punch_types: Mapping[str, tuple[str, ...]]) -> str | None:
    """Canonical type of the first exact type word, else of the one clear near-spelling."""
    words = [tok for tok in tokens if isinstance(tok, str) and tok != _STOP]
    for tok in words:
        kind = canonical_type(tok, punch_types)
        if kind is not None:
            return kind
    # Whisper splits a type word in two: "Saí da 3 e 46", "Intenva-lo" (docs/MODEL-NOTES.md,
    # "Traps").
    joined = [
        a + b
        for a, b in pairwise(tokens)
        if isinstance(a, str) and isinstance(b, str) and _STOP not in (a, b)
    ]
    for tok in joined:
        kind = canonical_type(tok, punch_types)
        if kind is not None:
            return kind
    return _near_type(words + joined, punch_types)


def _near_type(words: list[str], punch_types: Mapping[str, tuple[str, ...]]) -> str | None:
    """Whisper misspells the type ("Intervallo", "Intervá-lo", "retornos", "caída"). The four
    type words are far apart, so a close spelling names one type without doubt; only the
    numbers must match exactly, and those are never guessed."""
    best: tuple[float, str] | None = None
    second = 0.0
    for word in words:
        if len(word) < 4:
            continue
        for kind, synonyms in punch_types.items():
            for target in {strip_accents(kind).lower(), *synonyms}:
                score = fuzz.ratio(word, target)
                if best is None or score > best[0]:
                    if best is not None and best[1] != kind:
                        second = max(second, best[0])
                    best = (score, kind)
                elif kind != best[1]:
                    second = max(second, score)
    if best is None or best[0] < _NEAR_TYPE_MIN or best[0] - second < _NEAR_TYPE_GAP:
        return None
    return best[1]


def _another_number_follows(tokens: list[Token], j: int) -> bool:
    """A number right after a time expression ("12h50 e 55", "13 40 41") in the same sentence."""
    k = j + 1 if _at(tokens, j) == "e" else j
    return isinstance(_at(tokens, k), int)


def parse_spoken(
    text: str, punch_types: Mapping[str, tuple[str, ...]] = DEFAULT_PUNCH_TYPES
) -> SpokenTime:
    """Read the first punch type and the first time expression out of a transcript."""
    norm = _normalise(text or "")
    tokens = _tokens(norm)
    kind = _first_type(tokens, punch_types)
    for i in range(len(tokens)):
        found = _to_form(tokens, i) or _clock_form(tokens, i)
        if found is None:
            continue
        hour, minute, end = found
        if _another_number_follows(tokens, end):
            minute = None  # "12h50 e 55": two minutes for one time, so not a decisive reading
        period = _period_after(tokens, end)
        if minute is None and period is not None:
            minute = 0  # "oito da noite" is a whole hour
        return SpokenTime(
            type=kind,
            hour=hour if 0 <= hour <= 23 else None,
            minute=minute if minute is not None and 0 <= minute <= 59 else None,
            period=period,
            text=norm,
            teen=6 <= hour <= 9 and _at(tokens, i - 1) in _TEEN_LEADS and tokens[i] == hour,
        )
    return SpokenTime(kind, None, None, None, norm)


def _readings(hour: int, period: str | None, teen: bool = False) -> list[int]:
    """24-hour readings of a spoken hour: 1-11 may be h or h+12 (and "de 8" 18 as well);
    12 is midnight only if told."""
    if 1 <= hour <= 11:
        return [hour, hour + 12, *([hour + 10] if teen else [])]
    if hour == 12 and period in ("manha", "noite", "madrugada"):
        return [0]
    return [hour]


def resolve(spoken: SpokenTime, expected: Phrase) -> Phrase | None:
    """The 24-hour Phrase the speaker meant; the expected hour wins among 12-hour readings.

    None when type, hour or minute is missing, or when the stated period contradicts every
    reading ("quinze horas da manhã"): a contradiction is not evidence for any time.
    """
    if spoken.type is None or spoken.hour is None or spoken.minute is None:
        return None
    readings = _readings(spoken.hour, spoken.period, spoken.teen)
    if spoken.period is not None:
        allowed = _PERIOD_HOURS[spoken.period]
        readings = [h for h in readings if h in allowed]
        if not readings:
            return None
    hour = expected.hour if expected.hour in readings else readings[0]
    return Phrase(spoken.type, hour, spoken.minute)


def hour_guess(spoken: SpokenTime, heard: Phrase | None) -> bool:
    """``heard`` is one of several readings of the hour: the 12-hour one (3 -> 15) with no
    period said, or any reading of "de 8" (8 or 18). A dropped tens digit reads the same way
    ("Saída 3.19" for 13 19 against an expected 15 19), so the text alone must not accept
    it: the closed-set scorer, which weighs 13 19 too, decides."""
    if heard is None:
        return False
    return spoken.teen or (spoken.period is None and spoken.hour != heard.hour)
