"""The kiosk and `python -m app sync` read one settings file: the sync section the admin
screen saves must be the one app.sync.SyncConfig.load understands."""

from __future__ import annotations

import json

from app.kiosk.settings import KioskSettings
from app.sync.config import SyncConfig


def test_saved_sync_section_is_read_by_the_sync_cli(tmp_path):
    settings = KioskSettings()
    settings.sync.enabled = True
    settings.sync.endpoint = "https://api.example.com/"
    settings.sync.token = "s3cret"
    settings.sync.mode = "cloud-first"
    f = tmp_path / "settings.json"
    f.write_text(json.dumps(settings.to_dict()))
    config = SyncConfig.load(f, env={})
    assert (config.mode, config.url, config.token) == (
        "cloud-first",
        "https://api.example.com/",
        "s3cret",
    )
    again = KioskSettings.from_dict(json.loads(f.read_text()))
    assert again.sync == settings.sync


def test_disabled_sync_is_mode_off_for_both(tmp_path):
    settings = KioskSettings()
    settings.sync.endpoint = "https://api.example.com/"
    f = tmp_path / "settings.json"
    f.write_text(json.dumps(settings.to_dict()))
    assert SyncConfig.load(f, env={}).mode == "off"
    assert KioskSettings.from_dict(json.loads(f.read_text())).sync.enabled is False
