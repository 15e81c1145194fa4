"""`python -m app eval MANIFEST`: run the verifier over a labelled set of clips.

MANIFEST is JSON lines ``{"file", "expected_speech"[, "label", "kind"]}`` with paths relative to
the manifest. Writes one JSON line per clip and returns a summary (false rejects, false accepts
by kind, p50/p95 seconds).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import PontoVozError


@dataclass
class Summary:
    clips: int = 0
    errors: int = 0
    positives: int = 0
    false_rejects: int = 0
    negatives: int = 0
    false_accepts: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [n, wrong verdicts]
    seconds: list[float] = field(default_factory=list)
    verdicts: list[tuple[dict[str, Any], bool]] = field(default_factory=list)  # (item, validated)

    @property
    def frr(self) -> float:
        return self.false_rejects / self.positives if self.positives else 0.0

    @property
    def far(self) -> float:
        return self.false_accepts / self.negatives if self.negatives else 0.0

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.seconds, q)) if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "clips": self.clips,
            "errors": self.errors,
            "false_reject_rate": round(self.frr, 4),
            "false_accept_rate": round(self.far, 4),
            "by_kind": {k: {"n": n, "wrong": w} for k, (n, w) in sorted(self.by_kind.items())},
            "p50_s": round(self.percentile(50), 4),
            "p95_s": round(self.percentile(95), 4),
        }


def read_manifest(manifest: Path) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item["path"] = manifest.parent / item["file"]
            str(item["expected_speech"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise PontoVozError(f"{manifest}:{n}: bad manifest line ({exc})") from exc
        items.append(item)
    return items


Judge = Callable[[Path, str], tuple[bool, str, str]]  # -> (validated, spoken_text, reason)


def evaluate(items: Iterable[dict[str, Any]], judge: Judge, out=None) -> Summary:
    """Run ``judge`` on every item; write result lines to ``out`` (a text file) if given."""
    summary = Summary()
    by_kind: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        start = time.perf_counter()
        try:
            validated, spoken, reason = judge(item["path"], item["expected_speech"])
        except PontoVozError as exc:
            validated, spoken, reason = False, "", f"error: {exc}"
            summary.errors += 1
        seconds = time.perf_counter() - start
        summary.clips += 1
        summary.seconds.append(seconds)
        summary.verdicts.append((item, validated))
        label = item.get("label")
        if label is not None:
            kind = item.get("kind") or ("positive" if label else "negative")
            by_kind[kind][0] += 1
            if label:
                summary.positives += 1
                if not validated:
                    summary.false_rejects += 1
                    by_kind[kind][1] += 1
            else:
                summary.negatives += 1
                if validated:
                    summary.false_accepts += 1
                    by_kind[kind][1] += 1
        if out is not None:
            row = {
                "file": item["file"],
                "expected_speech": item["expected_speech"],
                "validated": validated,
                "spoken_text": spoken,
                "reason": reason,
                "seconds": round(seconds, 4),
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary.by_kind = dict(by_kind)
    return summary


def format_summary(name: str, s: Summary) -> str:
    lines = [
        f"{name}: {s.clips} clips, {s.errors} errors",
        f"  false rejects: {s.false_rejects}/{s.positives} = {s.frr:.1%}",
        f"  false accepts: {s.false_accepts}/{s.negatives} = {s.far:.1%}",
        f"  seconds per clip: p50 {s.percentile(50):.3f}  p95 {s.percentile(95):.3f}",
        "  by kind (n, wrong verdicts):",
    ]
    lines += [f"    {k:<12} {n:>4} {w:>4}" for k, (n, w) in sorted(s.by_kind.items())]
    return "\n".join(lines)


# Manifest fields a table is made by (the corpus records them for each clip).
CONDITIONS = ("voice", "effect", "noise", "snr_db", "pause", "style")
MAIN_VOICE = "leticia"
OTHER_VOICES = ("mb-br1", "mb-br3")


def _condition(item: dict[str, Any], name: str) -> str:
    if name == "pause":
        pause = item.get("pause_s") or 0.0
        return "none" if not pause else ("0.3-0.7 s" if pause < 0.7 else "0.7-1.5 s")
    value = item.get(name)
    if name == "snr_db":
        return "clean" if value is None else f"{value:g} dB"
    return "-" if value is None else str(value)


def _rate(wrong: int, n: int) -> str:
    return f"{wrong}/{n} = {wrong / n:.1%}" if n else "-"


def slices(s: Summary) -> dict[str, tuple[int, int]]:
    """Headline figures: (wrong, n) for the slices the targets name."""
    out: dict[str, list[int]] = {}

    def add(name: str, wrong: bool) -> None:
        cell = out.setdefault(name, [0, 0])
        cell[0] += int(wrong)
        cell[1] += 1

    for item, ok in s.verdicts:
        voice = item.get("voice")
        if item.get("label") is True:
            if voice in (MAIN_VOICE, None):
                add("FRR main voice, all", not ok)
                if item.get("snr_db") is None or item["snr_db"] >= 20:
                    add("FRR main voice, clean + 30 + 20 dB", not ok)
            if voice in OTHER_VOICES:
                add("FRR other voices (mb-br1, mb-br3)", not ok)
            add("FRR every voice", not ok)
        elif item.get("label") is False:
            add("FAR every negative", ok)
            if voice in (MAIN_VOICE, None, "-"):
                add("FAR main voice + silence/noise", ok)
    return {k: (w, n) for k, (w, n) in out.items()}


def condition_table(s: Summary, voices: tuple[str, ...] | None = (MAIN_VOICE,)) -> str:
    """False rejects by voice, effect, noise, SNR, pause and wording (positives of ``voices``,
    all voices when None; the voice rows always cover every voice), then false accepts by
    negative kind."""
    lines = [f"{'condition':<28} {'false rejects':>18} {'false accepts':>16}"]
    for name in CONDITIONS:
        cells: dict[str, list[int]] = {}
        for item, ok in s.verdicts:
            if item.get("label") is None:
                continue
            if name != "voice" and voices and item.get("voice") not in (*voices, "-"):
                continue
            cell = cells.setdefault(_condition(item, name), [0, 0, 0, 0])
            if item["label"]:
                cell[0] += int(not ok)
                cell[1] += 1
            else:
                cell[2] += int(ok)
                cell[3] += 1
        lines.append(f"{name}:")
        for value, (fr, p, fa, n) in sorted(cells.items()):
            lines.append(f"  {value:<26} {_rate(fr, p):>18} {_rate(fa, n):>16}")
    lines.append("false accepts by negative kind (every voice):")
    for kind, (n, wrong) in sorted(s.by_kind.items()):
        if kind != "positive":
            lines.append(f"  {kind:<26} {'':>18} {_rate(wrong, n):>16}")
    lines.append("headline:")
    for name, (wrong, n) in slices(s).items():
        lines.append(f"  {name:<40} {_rate(wrong, n)}")
    return "\n".join(lines)
