"""Synthetic pt-BR voices and sox effects for the lab corpus, cached on disk by content.

Voices (docs/MODEL-NOTES.md, "Test voices"): RHVoice Leticia-F123 (the one Whisper hears best);
espeak-ng ``pt-br`` and MBROLA br1/br3/br4 through espeak-ng (much harder for Whisper base: they
stand in for the voices the model finds hard). Effects are sox chains applied to the speech before
mixing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

SAMPLE_RATE = 16000
LETICIA = "leticia"
VOICES = (LETICIA, "espeak-pt-br", "mb-br1", "mb-br3", "mb-br4")
_ESPEAK = {"espeak-pt-br": "pt-br", "mb-br1": "mb-br1", "mb-br3": "mb-br3", "mb-br4": "mb-br4"}

# Name -> sox effect chain (applied to the 16 kHz speech clip).
EFFECTS: dict[str, tuple[str, ...]] = {
    "none": (),
    "pitch-300": ("pitch", "-300"),
    "pitch-150": ("pitch", "-150"),
    "pitch+250": ("pitch", "250"),
    "tempo0.85": ("tempo", "-s", "0.85"),
    "tempo1.15": ("tempo", "-s", "1.15"),
    "reverb25": ("reverb", "25"),
    "reverb40": ("reverb", "40"),
    "band300-3400": ("sinc", "300-3400"),
}


class SynthUnavailable(RuntimeError):
    """A TTS engine or sox is not installed."""


def tools_available(voice: str = LETICIA) -> bool:
    engine = "RHVoice-test" if voice == LETICIA else "espeak-ng"
    return bool(shutil.which(engine) and shutil.which("sox"))


def _run(cmd: list[str], text: str | None = None) -> None:
    subprocess.run(
        cmd,
        input=text.encode("utf-8") if text is not None else None,
        check=True,
        capture_output=True,
        timeout=60,
    )


def synthesize(
    text: str,
    out: Path,
    rate: int = 100,
    pitch: int = 100,
    voice: str = LETICIA,
    effect: str = "none",
) -> Path:
    """Speak ``text`` into a 16 kHz mono 16-bit WAV at ``out`` (skipped if it exists).

    ``rate`` and ``pitch`` are percentages of the voice's default. Written to a temp file and
    renamed, so two corpus workers racing on the same clip never leave half a file.
    """
    if out.is_file() and out.stat().st_size > 44:
        return out
    if voice not in VOICES:
        raise ValueError(f"unknown voice {voice!r}; one of {', '.join(VOICES)}")
    if not tools_available(voice):
        raise SynthUnavailable(f"install sox and the TTS engine for voice {voice}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        if voice == LETICIA:
            _run(
                [
                    "RHVoice-test",
                    "-p",
                    "Leticia",
                    "-r",
                    str(rate),
                    "-t",
                    str(pitch),
                    "-o",
                    str(raw),
                ],
                text,
            )
        else:
            speed = str(int(165 * rate / 100))
            espeak_pitch = str(max(0, min(99, int(50 * pitch / 100))))
            _run(
                [
                    "espeak-ng",
                    "-v",
                    _ESPEAK[voice],
                    "-s",
                    speed,
                    "-p",
                    espeak_pitch,
                    "-w",
                    str(raw),
                    text,
                ]
            )
        part = Path(tmp) / "part.wav"
        _run(
            [
                "sox",
                "-R",  # repeatable: the same dither every time, so a clip is the same everywhere
                str(raw),
                "-r",
                str(SAMPLE_RATE),
                "-c",
                "1",
                "-b",
                "16",
                str(part),
                *list(EFFECTS[effect]),
            ]
        )
        tmp_out = out.with_suffix(f".{Path(tmp).name}.tmp")
        shutil.move(str(part), tmp_out)
        tmp_out.replace(out)
    return out


def cached_clip(
    cache: Path,
    text: str,
    rate: int = 100,
    pitch: int = 100,
    voice: str = LETICIA,
    effect: str = "none",
) -> Path:
    """The clip for these settings, made once per cache folder."""
    # "R": made with sox's repeatable dither (clips made before differ in their last bits).
    parts = ["Leticia", str(rate), str(pitch), text, "R"]
    if voice != LETICIA or effect != "none":
        parts += [voice, effect]
    key = hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
    return synthesize(text, cache / f"{key}.wav", rate, pitch, voice, effect)
