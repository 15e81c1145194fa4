"""Where PontoVoz keeps its files.

By default the per-user config/data/cache dirs of the OS (platformdirs). Setting
``PONTOVOZ_HOME`` puts all three under one folder, which is what tests, IT and backups want.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "PontoVoz"
HOME_ENV = "PONTOVOZ_HOME"


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


def _home() -> Path | None:
    home = os.environ.get(HOME_ENV, "").strip()
    return Path(home).expanduser() if home else None


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(_dirs().user_config_dir)


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(_dirs().user_data_dir)


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else Path(_dirs().user_cache_dir)


def resources_dir() -> Path:
    """``resources/``: ``PONTOVOZ_RESOURCES`` when set (an image that installs the package
    elsewhere), inside the bundle when frozen, else at the repository root."""
    override = os.environ.get("PONTOVOZ_RESOURCES", "").strip()
    if override:
        return Path(override)
    base = getattr(sys, "_MEIPASS", None)
    if base is not None:
        return Path(base) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"
