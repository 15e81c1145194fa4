"""app.settings: the one reader/writer of settings.json, and engine options built from it."""

from __future__ import annotations

import json
import os
import stat

import pytest

from app import settings
from app.core.config import EngineOptions
from app.core.errors import ConfigError
from app.store.settings import LedgerSettings
from app.sync.config import SyncConfig


def test_options_precedence_file_env_overrides(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"engine": {"cpu_threads": 3, "beam_size": 2}, "kiosk": {}}))
    env = {"PONTOVOZ_CPU_THREADS": "4", "PONTOVOZ_SCORE_MARGIN": "2.5"}
    opts = settings.engine_options(path, env=env, overrides={"beam_size": 3, "num_workers": None})
    assert (opts.cpu_threads, opts.beam_size, opts.score_margin) == (4, 3, 2.5)
    assert opts.num_workers == EngineOptions().num_workers


def test_broken_settings_file_is_a_config_error(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="Não foi possível ler"):
        settings.engine_options(path, env={})
    path.write_text(json.dumps({"engine": ["not", "an", "object"]}))
    with pytest.raises(ConfigError, match="deve ser um objeto"):
        settings.engine_options(path, env={})


def test_write_keeps_other_sections_and_is_private(tmp_path):
    path = tmp_path / "cfg" / "settings.json"
    old = os.umask(0o022)
    try:
        settings.write_sections({"ledger": {"kiosk_id": "07"}, "sync": {"mode": "off"}}, path)
        settings.write_sections({"engine": {"beam_size": 2}}, path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.read_all(path) == {
        "ledger": {"kiosk_id": "07"},
        "sync": {"mode": "off"},
        "engine": {"beam_size": 2},
    }
    # each package builds its own dataclass from its own section
    assert LedgerSettings.load(path).kiosk_id == "07"
    assert SyncConfig.load(path, env={}).mode == "off"
    assert settings.engine_options(path, env={}).beam_size == 2


def test_missing_file_means_defaults(tmp_path):
    path = tmp_path / "nothing.json"
    assert settings.read_all(path) == {}
    assert settings.engine_options(path, env={}) == EngineOptions()
    assert LedgerSettings.load(path) == LedgerSettings()
