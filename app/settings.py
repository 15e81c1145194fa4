"""The settings file: one JSON object in the config dir, one section per package.

This module is the only code that reads or writes ``settings.json``. Each package builds its own
frozen dataclass from its section (``EngineOptions`` from ``engine``, ``LedgerSettings`` from
``ledger``, ``SyncConfig`` from ``sync``, the kiosk's from ``kiosk``), so a section has one owner
and no package translates another's keys.

    section("ledger") -> dict            # {} when the file or the section is missing
    write_sections({"kiosk": {...}})     # atomic, other sections kept, file 0600
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app import paths
from app.core.config import EngineOptions, options_from
from app.core.errors import ConfigError

SETTINGS_NAME = "settings.json"


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_NAME


def read_all(path: Path | None = None) -> dict[str, Any]:
    """The whole file as a dict; {} when it does not exist. ConfigError when unreadable."""
    path = path or settings_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"Não foi possível ler {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} não contém um objeto JSON")
    return data


def section(name: str, path: Path | None = None) -> dict[str, Any]:
    """One section of the file ({} when missing). ConfigError when it is not an object."""
    raw = read_all(path).get(name, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"A seção '{name}' de {path or settings_path()} deve ser um objeto")
    return raw


def write_sections(updates: Mapping[str, Mapping[str, Any]], path: Path | None = None) -> None:
    """Replace the given sections and keep the others; atomic (temp file, fsync, rename).

    The file can hold the sync token and the admin PIN hash, so it is created 0600."""
    path = path or settings_path()
    try:
        data = read_all(path)
    except ConfigError:
        data = {}  # an unreadable file is replaced by a valid one
    data.update({name: dict(values) for name, values in updates.items()})
    paths.write_private(path, json.dumps(data, ensure_ascii=False, indent=2))


def engine_options(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> EngineOptions:
    """Engine options as the kiosk and the CLI run them: the file's ``engine`` section, then
    ``PONTOVOZ_*`` environment variables, then explicit overrides (CLI flags)."""
    return options_from(section("engine", path), env, overrides)
