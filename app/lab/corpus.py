"""`python -m app corpus`: labelled pt-BR clips that look like the field, and a manifest.

Each clip draws its conditions: voice (RHVoice Leticia; espeak-ng pt-br; MBROLA br1/br3/br4),
sox effect (pitch, tempo, reverb, phone band), noise kind (white, pink, brown, babble made from
other speech, mains hum) at 30/20/15/10 dB SNR or none, lead/tail silence, a pause between the
type and the time, how the time is worded, level. Negatives cover every kind of wrong phrase.
Clips are rendered on every core (multiprocessing); TTS output is cached under ``tts/``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from app.core import audio
from app.lab import noise as noise_mod
from app.lab.voices import (
    LETICIA,
    SAMPLE_RATE,
    SynthUnavailable,
    cached_clip,
    synthesize,
    tools_available,
)
from app.lab.wording import TYPE_SPOKEN, pick_style, time_phrase, type_phrase, written_expected

__all__ = [
    "SAMPLE_RATE",
    "SynthUnavailable",
    "add_noise",
    "build_corpus",
    "cached_clip",
    "pad",
    "read_wav",
    "synthesize",
    "tools_available",
    "write_wav",
]

VOICE_WEIGHTS = {LETICIA: 6, "mb-br1": 1, "mb-br3": 1, "mb-br4": 1, "espeak-pt-br": 1}
EFFECT_CHOICES = (
    "none",
    "none",
    "none",
    "pitch-300",
    "pitch-150",
    "pitch+250",
    "tempo0.85",
    "tempo1.15",
    "reverb25",
    "reverb40",
    "band300-3400",
)
SNRS = (None, None, 30.0, 20.0, 15.0, 10.0)
NOISE_KINDS = ("white", "white", "pink", "brown", "babble", "babble", "hum")
NEGATIVE_KINDS = (
    "minute_1",
    "minute_2",
    "minute_5",
    "minute_10",
    "minute_20",
    "hour_1",
    "hour_2",
    "hour_10",
    "wrong_type",
    "type_only",
    "unrelated",
    "silence",
    "noise",
)
UNRELATED = (
    "Bom dia, tudo bem com você?",
    "Hoje o dia está bonito lá fora.",
    "Eu preciso falar com o gerente amanhã.",
    "O café da cozinha acabou de novo.",
    "Obrigada, até logo.",
    "Vou pegar o ônibus das sete.",
    "Qual é a senha do wi-fi?",
    "Não sei o que dizer agora.",
    "A reunião foi adiada para a semana que vem.",
    "Você viu onde eu deixei a minha chave?",
)


def read_wav(path: Path) -> np.ndarray:
    """16-bit WAV -> float32 mono samples (for mixing; the product decodes with PyAV)."""
    return audio.read_wav(path)[0]


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(audio.wav_bytes(samples, rate))
    return path


def add_noise(samples: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White noise at the given SNR relative to the power of ``samples``."""
    return noise_mod.mix(samples, noise_mod.white(samples.size, seed), snr_db)


def pad(samples: np.ndarray, before: float, after: float) -> np.ndarray:
    z = np.zeros
    return np.concatenate(
        [z(int(before * SAMPLE_RATE), np.float32), samples, z(int(after * SAMPLE_RATE), np.float32)]
    )


@dataclass(frozen=True)
class ClipSpec:
    """Everything that makes one clip; also its manifest line."""

    file: str
    expected_speech: str
    label: bool
    kind: str  # "positive" or a negative kind
    spoken: str
    voice: str
    effect: str
    rate: int
    pitch: int
    noise: str  # "none" or a noise kind
    snr_db: float | None
    lead_s: float
    tail_s: float
    pause_s: float  # silence between the type and the time (0: said in one breath)
    style: str  # how the time is worded (app.lab.wording)
    level: float
    seed: int
    said: str = ""  # what the speech means, "TYPE H M" (24 h), "" when no time is said


def _wrong_time(kind: str, hour: int, minute: int, rng: random.Random) -> tuple[int, int]:
    step = int(kind.split("_")[1]) * rng.choice((-1, 1))
    if kind.startswith("minute_"):
        m = minute + step if 0 <= minute + step <= 59 else minute - step
        return hour, m
    return (hour + step) % 24, minute


def plan(
    count: int, seed: int, voices: tuple[str, ...] = (), hours: tuple[int, ...] = ()
) -> list[ClipSpec]:
    """Draw the conditions of ``count`` clips: half positives, half over NEGATIVE_KINDS.
    ``voices`` limits the voices (e.g. one voice's own test set); default: all, weighted.
    ``hours`` draws the expected hour from these (``adapt``'s contrast clips); default: any."""
    rng = random.Random(seed)
    voices = voices or tuple(v for v, w in VOICE_WEIGHTS.items() for _ in range(w))
    kinds = list(TYPE_SPOKEN)
    specs = []
    for i in range(count):
        label = i % 2 == 0
        kind = "positive" if label else NEGATIVE_KINDS[(i // 2) % len(NEGATIVE_KINDS)]
        ptype = rng.choice(kinds)
        hour = rng.choice(hours) if hours else rng.randrange(24)
        minute = rng.randrange(60)
        voice = rng.choice(voices)
        s_type, s_hour, s_min = ptype, hour, minute
        if kind == "wrong_type":
            s_type = rng.choice([k for k in kinds if k != ptype])
        elif kind.startswith(("minute_", "hour_")):
            s_hour, s_min = _wrong_time(kind, hour, minute, rng)
        style = pick_style(rng, s_hour, s_min)
        pause = round(rng.uniform(0.3, 1.5), 2) if rng.random() < 0.35 else 0.0
        word = type_phrase(s_type, rng)
        punct = rng.choice((",", ".", ""))
        spoken = f"{word}{punct} {time_phrase(s_hour, s_min, style)}."
        if pause:
            spoken = f"{word}. | {time_phrase(s_hour, s_min, style)}."
        said = f"{s_type} {s_hour} {s_min}"
        if kind == "type_only":
            spoken, pause, style, said = f"{type_phrase(ptype, rng)}.", 0.0, "-", ""
        elif kind == "unrelated":
            spoken, pause, style, said = rng.choice(UNRELATED), 0.0, "-", ""
        elif kind in ("silence", "noise"):
            spoken, pause, style, voice, said = "", 0.0, "-", "-", ""
        snr = rng.choice(SNRS)
        noise = "none" if snr is None else rng.choice(NOISE_KINDS)
        if kind == "noise":
            noise, snr = rng.choice(NOISE_KINDS), None
        specs.append(
            ClipSpec(
                file=f"{i:04d}-{kind}.wav",
                expected_speech=written_expected(ptype, hour, minute, rng),
                label=label,
                kind=kind,
                spoken=spoken,
                voice=voice,
                effect=rng.choice(EFFECT_CHOICES) if voice != "-" else "none",
                rate=rng.choice((85, 95, 100, 110, 120)),
                pitch=rng.choice((85, 100, 115)),
                noise=noise,
                snr_db=snr,
                lead_s=round(rng.uniform(0.1, 0.8), 2),
                tail_s=round(rng.uniform(0.2, 1.0), 2),
                pause_s=pause,
                style=style,
                level=round(rng.uniform(0.3, 1.0), 2),
                seed=seed * 100003 + i,
                said=said,
            )
        )
    return specs


def _speech(spec: ClipSpec, cache: Path) -> np.ndarray:
    def say(text: str) -> np.ndarray:
        return read_wav(cached_clip(cache, text, spec.rate, spec.pitch, spec.voice, spec.effect))

    if spec.pause_s:
        first, second = (p.strip() for p in spec.spoken.split("|"))
        gap = np.zeros(int(spec.pause_s * SAMPLE_RATE), np.float32)
        return np.concatenate([say(first), gap, say(second)])
    return say(spec.spoken)


def render(spec: ClipSpec, out_dir: Path) -> str:
    """Make one clip's WAV (skipped when it exists). Runs in a worker process."""
    target = out_dir / spec.file
    if target.is_file():
        return spec.file
    cache = out_dir / "tts"
    rng = np.random.default_rng(spec.seed)
    if spec.kind == "silence":
        seconds = rng.uniform(1.0, 3.0)
        samples = noise_mod.white(int(seconds * SAMPLE_RATE), spec.seed) * 3e-4
    elif spec.kind == "noise":
        n = int(rng.uniform(1.5, 3.0) * SAMPLE_RATE)
        samples = noise_mod.make(spec.noise, n, spec.seed, cache) * rng.uniform(0.02, 0.2)
    else:
        speech = _speech(spec, cache)
        samples = pad(speech, spec.lead_s, spec.tail_s)
        if spec.snr_db is not None:
            noise = noise_mod.make(spec.noise, samples.size, spec.seed, cache)
            samples = noise_mod.mix(samples, noise, spec.snr_db, reference=speech)
    peak = float(np.max(np.abs(samples))) or 1.0
    scale = spec.level / peak if spec.kind != "silence" else 1.0
    write_wav(target, np.clip(samples * scale, -1.0, 1.0).astype(np.float32))
    return spec.file


def _render_star(args: tuple[ClipSpec, Path]) -> str:
    return render(*args)


def render_many(
    specs: list[ClipSpec],
    out_dir: Path,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Render every clip not yet in ``out_dir`` on ``workers`` processes (0: one per core);
    ``progress`` hears the count done every 200 clips."""
    jobs = [(s, out_dir) for s in specs if not (out_dir / s.file).is_file()]
    workers = workers or os.cpu_count() or 1
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for n, _ in enumerate(pool.imap_unordered(_render_star, jobs, chunksize=4), 1):
                if progress and n % 200 == 0:
                    progress(n)
    else:
        for job in jobs:
            _render_star(job)


def real_specs(folder: Path, out_dir: Path, seed: int) -> list[ClipSpec]:
    """Recordings of real people (any audio file in ``folder``, none of it a punch phrase),
    converted to 16 kHz WAV under ``out_dir/real``: negatives nothing may pass."""
    import subprocess

    rng = random.Random(seed + 7)
    specs = []
    for n, src in enumerate(sorted(p for p in folder.iterdir() if p.is_file())):
        name = f"real/{src.stem}.wav"
        target = out_dir / name
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["sox", str(src), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(target)],
                check=True,
                capture_output=True,
                timeout=60,
            )
        kind = rng.choice(list(TYPE_SPOKEN))
        specs.append(
            ClipSpec(
                file=name,
                expected_speech=f"{kind} {rng.randrange(24):02d} {rng.randrange(60):02d}",
                label=False,
                kind="real_speech",
                spoken=src.name,
                voice="real",
                effect="none",
                rate=100,
                pitch=100,
                noise="none",
                snr_db=None,
                lead_s=0.0,
                tail_s=0.0,
                pause_s=0.0,
                style="-",
                level=1.0,
                seed=seed * 100003 + 90000 + n,
            )
        )
    return specs


def build_corpus(
    out_dir: Path,
    count: int = 200,
    seed: int = 1,
    workers: int = 0,
    real: Path | None = None,
    voices: tuple[str, ...] = (),
) -> Path:
    """Render ``count`` clips into ``out_dir`` and write ``manifest.jsonl`` (one line per clip
    with all its conditions). Different seeds give different sets: tune on one, report on
    another. ``workers`` 0 means one per CPU core. ``real``: a folder of recordings of real
    people to add as negatives."""
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = plan(count, seed, voices)
    render_many(specs, out_dir, workers)
    if real is not None:
        specs += real_specs(real, out_dir, seed)
    manifest = out_dir / "manifest.jsonl"
    lines = [json.dumps(asdict(s), ensure_ascii=False) + "\n" for s in specs]
    manifest.write_text("".join(lines), "utf-8")
    return manifest
