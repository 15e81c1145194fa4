"""The adapted model ships with int8 weights: half the bytes, and the same numbers.

CTranslate2 quantizes a float16 model's linear and embedding weights itself when it loads with
``compute_type`` int8 on CPU; writing them quantized beforehand must give bit-identical encoder
outputs and decoder scores, or the verifier's measured figures would no longer hold.
"""

from __future__ import annotations

import numpy as np
import pytest

from app import paths
from app.core import audio, decoding, modelbin
from app.core import model as model_mod


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The assembled float16 base and the same model written as int8, side by side."""
    base = model_mod.assemble_embedded(paths.cache_dir())
    folder = tmp_path_factory.mktemp("int8")
    for name in model_mod.SIDE_FILES:
        (folder / name).write_bytes((base / name).read_bytes())
    digest = model_mod.write_int8(base / "model.bin", folder / "model.bin")
    return base, folder, digest


def test_int8_file_is_half_the_size_and_keeps_biases_norms_and_convolutions(models):
    base, folder, _ = models
    assert (folder / "model.bin").stat().st_size < 0.55 * (base / "model.bin").stat().st_size
    original, quantized = modelbin.read(base / "model.bin"), modelbin.read(folder / "model.bin")
    weight = "decoder/layer_0/self_attention/linear_0/weight"
    assert quantized[weight].dtype == np.int8
    assert quantized[weight + "_scale"].shape == (original[weight].shape[0],)
    for name in ("encoder/conv1/weight", "decoder/layer_0/self_attention/linear_0/bias"):
        assert np.array_equal(quantized[name], original[name])
    # dequantized, each weight is within half a step of the original
    step = 1 / quantized[weight + "_scale"][:, None]
    error = np.abs(quantized[weight] * step - original[weight].astype(np.float32))
    assert float((error / step).max()) <= 0.5 + 1e-3


def test_int8_file_is_the_same_bytes_every_time(models, tmp_path):
    base, _, digest = models
    assert model_mod.write_int8(base / "model.bin", tmp_path / "again.bin") == digest


def test_a_wrong_int8_sha256_is_refused(models, tmp_path):
    base, _, _ = models
    with pytest.raises(model_mod.ModelError, match="não confere"):
        model_mod.write_int8(base / "model.bin", tmp_path / "x.bin", "0" * 64)


def test_int8_weights_compute_bit_identical_encoder_output_and_scores(models, make_clip):
    import ctranslate2
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    base, folder, _ = models
    clips = [make_clip("Entrada, treze e quarenta."), make_clip("Saída. Dezoito horas e cinco.")]
    results = []
    for source in (base, folder):
        whisper = WhisperModel(str(source), device="cpu", compute_type="int8", cpu_threads=2)
        tokenizer = Tokenizer(whisper.hf_tokenizer, True, task="transcribe", language="pt")
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        out = []
        for clip in clips:
            encoded, _ = decoding.encode(whisper, audio.read_wav(clip)[0])
            best = whisper.model.generate(
                ctranslate2.StorageView.from_array(encoded),
                [prompt],
                beam_size=1,
                return_scores=True,
                max_length=decoding.MAX_TOKENS,
            )[0]
            out.append((encoded, best.sequences_ids[0], best.scores[0]))
        results.append(out)
    for (enc_a, ids_a, score_a), (enc_b, ids_b, score_b) in zip(*results, strict=True):
        assert np.array_equal(enc_a, enc_b)
        assert ids_a == ids_b and score_a == score_b
