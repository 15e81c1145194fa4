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
