"""Audio in: every container the product accepts, at any rate and channel count, and clear
errors for what it refuses."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from app.core import audio, vad
from app.core.errors import AudioError
from app.lab.corpus import read_wav


def encode(samples: np.ndarray, fmt: str, codec: str, rate: int, channels: int) -> bytes:
    """Encode float samples (16 kHz mono) into a real file of another format with PyAV."""
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "stereo" if channels == 2 else "mono"
        pcm = (samples * 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 16000
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout=stream.layout.name, rate=rate
        )
        for f in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


@pytest.fixture(scope="module")
def speech(make_clip):
    return read_wav(make_clip("Entrada, 13 e 40."))


@pytest.mark.parametrize(
    ("fmt", "codec", "rate", "channels"),
    [
        ("wav", "pcm_s16le", 44100, 2),
        ("wav", "pcm_s16le", 8000, 1),
        ("mp3", "libmp3lame", 44100, 2),
        ("ogg", "libopus", 48000, 1),
        ("webm", "libopus", 48000, 2),
        ("ipod", "aac", 22050, 1),  # .m4a
        ("flac", "flac", 32000, 2),
    ],
)
def test_decodes_containers_rates_and_channels(speech, fmt, codec, rate, channels):
    data = encode(speech, fmt, codec, rate, channels)
    samples = audio.decode(data)
    assert samples.dtype == np.float32 and samples.ndim == 1
    # same duration within codec padding, and actual speech survived the round trip
    assert abs(samples.size - speech.size) < 0.15 * audio.SAMPLE_RATE
    assert np.sqrt(np.mean(samples**2)) > 0.3 * np.sqrt(np.mean(speech**2))


def test_path_and_array_inputs(make_clip, speech):
    path = make_clip("Entrada, 13 e 40.")
    assert np.allclose(audio.decode(path), speech, atol=1e-3)
    assert audio.decode(speech) is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "o áudio está vazio"),
        (b"this is not audio at all" * 20, "não foi possível decodificar o áudio"),
        (bytes(range(256)) * 50, "não foi possível decodificar o áudio"),
    ],
)
def test_rejects_bad_bytes_with_a_typed_error(data, message):
    with pytest.raises(AudioError, match=message):
        audio.decode(data)


def test_rejects_missing_and_empty_files(tmp_path):
    with pytest.raises(AudioError, match="arquivo de áudio não encontrado"):
        audio.decode(tmp_path / "nope.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="arquivo de áudio está vazio"):
        audio.decode(empty)


def test_rejects_over_long_audio_with_the_configured_limit():
    long = np.zeros(31 * audio.SAMPLE_RATE, np.float32)
    with pytest.raises(AudioError, match="o áudio dura 31,0 s; o limite é 30 s"):
        audio.decode(long)
    assert audio.decode(long, max_seconds=40).size == long.size


def test_rejects_nan_samples():
    with pytest.raises(AudioError, match="amostras inválidas"):
        audio.decode(np.array([0.0, np.nan], np.float32))


def test_vad_trims_silence_around_speech(speech):
    padded = np.concatenate([np.zeros(32000, np.float32), speech, np.zeros(48000, np.float32)])
    start, end = vad.speech_span(padded)
    assert 32000 - 0.3 * 16000 <= start <= 32000 + 0.3 * 16000
    assert end <= 32000 + speech.size + 0.3 * 16000
    assert vad.trim(np.zeros(48000, np.float32)) is None
    noise = np.random.default_rng(0).normal(0, 0.02, 48000).astype(np.float32)
    assert vad.trim(noise) is None


def test_long_compressed_audio_is_refused_without_decoding_it_all(speech, monkeypatch):
    """Ten minutes of low-bitrate Opus is a small upload; decoding must stop at the limit.
    A counting wrapper around the real frame generator shows how far decoding went."""
    long = np.tile(speech, int(600 * 16000 / speech.size))
    data = encode(long, "ogg", "libopus", 48000, 1)
    assert len(data) < 6 * 1024 * 1024
    decoded_seconds = []
    real_frames = audio._frames

    def counting(container):
        for frame in real_frames(container):
            if frame is not None:
                decoded_seconds.append(frame.samples / frame.sample_rate)
            yield frame

    monkeypatch.setattr(audio, "_frames", counting)
    with pytest.raises(AudioError, match="longo demais; o limite é 30 s"):
        audio.decode(data)
    assert 30 <= sum(decoded_seconds) < 32


def test_truncated_file_keeps_what_decodes(speech):
    data = encode(speech, "mp3", "libmp3lame", 44100, 1)
    samples = audio.decode(data[: len(data) // 2])
    assert 0 < samples.size < speech.size
