"""model.bin read/written with numpy, and the punch-phrase delta merged into the PyPI base."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from app.core import delta as delta_mod
from app.core import model as model_mod
from app.core import modelbin
from app.core.errors import ModelError


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from app import paths

    return model_mod.assemble_embedded(paths.cache_dir())


def test_model_bin_reads_and_writes_back_byte_for_byte(base, tmp_path):
    model = modelbin.read(base / "model.bin")
    assert model.spec == "WhisperSpec" and len(model.variables) == 212
    assert model.aliases == [("decoder/projection/weight", "decoder/embeddings/weight")]
    assert model["decoder/layer_0/self_attention/linear_0/weight"].shape == (1536, 512)
    assert model["decoder/num_heads"].shape == ()  # scalars stay rank 0
    modelbin.write(model, tmp_path / "model.bin")
    assert delta_mod.sha256(tmp_path / "model.bin") == model_mod.EXPECTED_SHA256["model.bin"]


def test_truncated_model_bin_is_a_clear_error(base, tmp_path):
    (tmp_path / "model.bin").write_bytes((base / "model.bin").read_bytes()[:5000])
    with pytest.raises(ModelError, match="truncado"):
        modelbin.read(tmp_path / "model.bin")


def _random_delta(base_sha: str, seed: int = 0) -> delta_mod.Delta:
    rng = np.random.default_rng(seed)
    name = "decoder/layer_2/self_attention/linear_0/weight"
    a = rng.normal(0, 0.05, (4, 512)).astype(np.float16)
    b = rng.normal(0, 0.05, (512, 4)).astype(np.float16)
    meta = {"format": delta_mod.FORMAT, "base_sha256": base_sha, "scale": 2.0}
    return delta_mod.Delta({**meta, "merged_sha256": ""}, (delta_mod.LowRank(name, 512, a, b),))


def test_merge_changes_only_the_updated_row_block(base, tmp_path):
    delta = _random_delta(model_mod.EXPECTED_SHA256["model.bin"])
    delta_mod.merge(base / "model.bin", delta, tmp_path / "model.bin", check=False)
    before = modelbin.read(base / "model.bin")
    after = modelbin.read(tmp_path / "model.bin")
    name, update = delta.updates[0].name, delta.updates[0]
    w0, w1 = before[name].astype(np.float64), after[name].astype(np.float64)
    assert np.array_equal(w0[:512], w1[:512]) and np.array_equal(w0[1024:], w1[1024:])
    expected = 2.0 * update.b.astype(np.float64) @ update.a.astype(np.float64)
    assert np.allclose(w1[512:1024] - w0[512:1024], expected, atol=2e-3)
    assert not np.array_equal(w0[512:1024], w1[512:1024])
    changed = [n for n in before.variables if not np.array_equal(before[n], after[n])]
    assert changed == [name]


def test_merge_is_the_same_bytes_every_time_and_after_a_save(base, tmp_path):
    delta = _random_delta(model_mod.EXPECTED_SHA256["model.bin"], seed=3)
    first = delta_mod.merge(base / "model.bin", delta, tmp_path / "a.bin", check=False)
    delta_mod.save(delta, tmp_path / "d.npz")
    again = delta_mod.load(tmp_path / "d.npz")
    assert again.meta == delta.meta
    assert delta_mod.merge(base / "model.bin", again, tmp_path / "b.bin", check=False) == first


def test_merge_refuses_another_base_and_an_unexpected_result(base, tmp_path):
    with pytest.raises(ModelError, match="feito para outra base"):
        delta_mod.merge(base / "model.bin", _random_delta("0" * 64), tmp_path / "m.bin")
    wrong = _random_delta(model_mod.EXPECTED_SHA256["model.bin"])
    wrong = delta_mod.Delta({**wrong.meta, "merged_sha256": "f" * 64}, wrong.updates)
    with pytest.raises(ModelError, match="saiu diferente do esperado"):
        delta_mod.merge(base / "model.bin", wrong, tmp_path / "m.bin")


def test_unreadable_delta_is_a_clear_error(tmp_path):
    (tmp_path / "d.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="ilegível"):
        delta_mod.load(tmp_path / "d.npz")


def test_committed_delta_merges_into_the_model_it_names(base, tmp_path, monkeypatch):
    """What setup, the bundle and the Lambda image do: base + resources/model delta, checked
    by sha256 before and after; a second call only stats the folder."""
    delta = delta_mod.load(model_mod.delta_path())
    assert delta.meta["base_sha256"] == model_mod.EXPECTED_SHA256["model.bin"]
    cache = tmp_path / "cache"
    shutil.copytree(base, cache / model_mod.MODEL_NAME)
    folder = model_mod.prepare(cache)
    assert folder.name == model_mod.adapted_name(delta.meta)
    # shipped as int8 weights (tests/core/test_model_int8.py), checked by their own sha256
    assert delta_mod.sha256(folder / "model.bin") == delta.meta["int8_sha256"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(["model.bin", *model_mod.SIDE_FILES])
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert model_mod.prepare(cache) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime
    assert model_mod.prepare(cache, adapted=False) == cache / model_mod.MODEL_NAME
