"""The embedded model: assembled once, atomically, checked by sha256, with clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core import model as model_mod
from app.core.config import EngineOptions
from app.core.delta import sha256
from app.core.errors import ModelError


def test_assembles_byte_identical_model_and_reuses_it(tmp_path):
    folder = model_mod.assemble_embedded(tmp_path)
    assert folder == tmp_path / model_mod.MODEL_NAME
    for name, digest in model_mod.EXPECTED_SHA256.items():
        assert sha256(folder / name) == digest
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert model_mod.assemble_embedded(tmp_path) == folder  # second call only stats
    assert (folder / "model.bin").stat().st_mtime_ns == mtime
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".assemble-")]


def _fake_parts(tmp_path: Path, corrupt: bool) -> dict[str, Path]:
    """Copies of the real part packages' data, one byte flipped when ``corrupt``."""
    parts = {}
    for pkg in model_mod.PART_PACKAGES:
        src = model_mod._part_dir(pkg)
        dst = tmp_path / pkg / "data"
        shutil.copytree(src, dst)
        parts[pkg] = dst
    if corrupt:
        target = parts[model_mod.PART_PACKAGES[1]] / "model.bin.part2"
        with target.open("r+b") as f:
            f.seek(1000)
            byte = f.read(1)
            f.seek(1000)
            f.write(bytes([byte[0] ^ 0xFF]))
    return parts


def test_corrupt_part_is_refused_and_leaves_nothing_behind(tmp_path, monkeypatch):
    parts = _fake_parts(tmp_path / "src", corrupt=True)
    monkeypatch.setattr(model_mod, "_part_dir", lambda pkg: parts[pkg])
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match="model.bin do modelo embutido está corrompido"):
        model_mod.assemble_embedded(cache)
    assert list(cache.iterdir()) == []


def test_missing_part_is_a_clear_error(tmp_path, monkeypatch):
    parts = _fake_parts(tmp_path / "src", corrupt=False)
    (parts[model_mod.PART_PACKAGES[1]] / "model.bin.part2").unlink()
    monkeypatch.setattr(model_mod, "_part_dir", lambda pkg: parts[pkg])
    with pytest.raises(ModelError, match="arquivo do modelo embutido ausente"):
        model_mod.assemble_embedded(tmp_path / "cache")


def test_missing_package_is_a_clear_error(monkeypatch):
    with pytest.raises(ModelError, match="não está instalado"):
        model_mod._part_dir("no_such_whisper_part_package")


def test_user_model_folder_without_model_bin_is_refused(tmp_path):
    options = EngineOptions(model_path=str(tmp_path))
    with pytest.raises(ModelError, match="não há model.bin"):
        model_mod.resolve_model_dir(options, tmp_path)


def test_truncated_model_file_fails_to_load_with_model_error(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    real = model_mod.assemble_embedded(tmp_path / "cache")
    for name in model_mod.SIDE_FILES:
        shutil.copyfile(real / name, folder / name)
    (folder / "model.bin").write_bytes((real / "model.bin").read_bytes()[:1_000_000])
    with pytest.raises(ModelError, match="não foi possível carregar o modelo Whisper"):
        model_mod.load_model(EngineOptions(model_path=str(folder)), tmp_path)
