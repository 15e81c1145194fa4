"""`python -m app bench`: this core vs the seed-style baseline, same clips, same run.

Prints per-clip p50/p95 seconds for both (median over ``--repeat`` runs), the speed ratio,
model load time and peak RSS. Clips come from a manifest or a small generated corpus.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core.audio import SAMPLE_RATE
from app.core.verifier import Verifier
from app.lab.baseline import SeedBaseline
from app.lab.corpus import read_wav
from app.lab.evaluate import read_manifest


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024


@dataclass
class Timing:
    p50: float
    p95: float


def _time_runs(fn, clips, repeat: int) -> tuple[Timing, list[float]]:
    p50s, p95s, all_s = [], [], []
    for _ in range(repeat):
        seconds = []
        for path, expected in clips:
            start = time.perf_counter()
            fn(path, expected)
            seconds.append(time.perf_counter() - start)
        p50s.append(float(np.percentile(seconds, 50)))
        p95s.append(float(np.percentile(seconds, 95)))
        all_s += seconds
    return Timing(statistics.median(p50s), statistics.median(p95s)), all_s


def select_clips(manifest: Path, limit: int) -> list[tuple[Path, str]]:
    """Positive clips lasting 2-4 s (the target's clip length), up to ``limit``."""
    clips = []
    for item in read_manifest(manifest):
        if item.get("label") is False:
            continue
        seconds = read_wav(item["path"]).size / SAMPLE_RATE
        if 2.0 <= seconds <= 4.0:
            clips.append((item["path"], item["expected_speech"]))
    return clips[:limit]


def _plain(verifier: Verifier):
    """The options of ``verifier`` on the plain PyPI base (the seed-style method's model)."""
    return verifier.options.replace(model_path="", adapted=False)


def run_bench(manifest: Path, limit: int = 30, repeat: int = 3, baseline: bool = True) -> str:
    verifier = Verifier()
    start = time.perf_counter()
    verifier.load()
    load_s = time.perf_counter() - start
    clips = select_clips(manifest, limit)
    if not clips:
        raise SystemExit(f"no 2-4 s positive clips in {manifest}")
    verifier.verify(*clips[0])  # warm-up: first call allocates
    core, _ = _time_runs(verifier.verify, clips, repeat)
    rss_core = peak_rss_mb()
    rows = [
        f"PontoVoz bench: {len(clips)} clips of 2-4 s, median of {repeat} runs, "
        f"{verifier.options.cpu_threads} CPU threads, {verifier.options.compute_type}",
        f"model load (assembled): {load_s:.2f} s",
        "",
        f"{'verifier':<36} {'p50 s':>8} {'p95 s':>8} {'peak RSS MB':>12}",
        f"{'core (default)':<36} {core.p50:>8.3f} {core.p95:>8.3f} {rss_core:>12.0f}",
    ]
    # The same core, sharing the loaded model, on the plain base and with fewer views: what
    # the adaptation and each view cost.
    variants: dict[str, dict[str, Any]] = {
        "core on the plain base model": {"adapted": False, "model_path": ""},
        "core, greedy view only": {"views": ("greedy",)},
    }
    for name, change in variants.items():
        other = Verifier(verifier.options.replace(**change))
        other.load()
        timing, _ = _time_runs(other.verify, clips, repeat)
        rows.append(f"{name:<36} {timing.p50:>8.3f} {timing.p95:>8.3f} {peak_rss_mb():>12.0f}")
    if baseline:
        # the seed-style method as it was: faster-whisper defaults on the plain PyPI base
        seed = SeedBaseline(Verifier(_plain(verifier)).model)
        seed.verify(*clips[0])
        base, _ = _time_runs(seed.verify, clips, repeat)
        rows.append(
            f"{'seed baseline (beam 5, 30 s, fuzzy)':<36} {base.p50:>8.3f} {base.p95:>8.3f} "
            f"{peak_rss_mb():>12.0f}"
        )
        rows.append("")
        rows.append(
            f"speed-up: p50 {base.p50 / core.p50:.1f}x, p95 {base.p95 / core.p95:.1f}x "
            "(baseline / core, same run)"
        )
    return "\n".join(rows)


def mixed_wall_clock(manifest: Path, count: int = 40) -> str:
    """Wall clock of a whole `eval` over ``count`` mixed clips (positives and negatives, in
    manifest order), model load included, core then seed-style baseline, same process."""
    from faster_whisper import WhisperModel

    from app.core.model import resolve_model_dir

    items = read_manifest(manifest)[:count]
    start = time.perf_counter()
    verifier = Verifier()
    verifier.load()
    for item in items:
        verifier.verify(item["path"], item["expected_speech"])
    core_s = time.perf_counter() - start
    start = time.perf_counter()
    from app import paths

    folder = resolve_model_dir(_plain(verifier), paths.cache_dir())
    model = WhisperModel(
        str(folder),
        device="cpu",
        compute_type=verifier.options.compute_type,
        cpu_threads=verifier.options.cpu_threads,
    )
    seed = SeedBaseline(model)
    for item in items:
        seed.verify(item["path"], item["expected_speech"])
    base_s = time.perf_counter() - start
    return (
        f"eval wall clock, {len(items)} mixed clips incl. model load: core {core_s:.1f} s, "
        f"seed-style baseline {base_s:.1f} s, ratio {base_s / core_s:.1f}x"
    )
