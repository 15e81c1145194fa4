"""Build a frozen settings dataclass from a settings-file section, the environment and flags.

One loader for every package (engine, API, sync, ledger): values from JSON or environment strings
are turned into the field's declared type, and a bad one is a ConfigError naming the field
(pt-BR: IT reads it).
Precedence, lowest first: the dataclass defaults < ``section`` < ``env[prefix + FIELD]`` <
``overrides`` (None = not given).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import fields
from typing import Any, TypeVar

from app.core.errors import ConfigError

T = TypeVar("T")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def coerce(name: str, kind: str, raw: Any) -> Any:
    """``raw`` as the type named by a field annotation ("int", "float", "bool", "str | None"...).
    Other annotations (Literal aliases, mappings) pass through for ``__post_init__`` to check."""
    try:
        if kind == "bool":
            if isinstance(raw, str):
                if raw.lower() in _TRUE:
                    return True
                if raw.lower() in _FALSE:
                    return False
                raise ValueError(raw)
            return bool(raw)
        if kind == "int":
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError(raw)
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind.startswith("str"):
            return None if raw is None else str(raw)
        return raw
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"valor inválido para {name}: {raw!r}") from exc


def from_sources(
    cls: Callable[..., T],
    section: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    prefix: str = "",
    env_keys: Collection[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    special: Mapping[str, Callable[[Any], Any]] | None = None,
    what: str = "",
) -> T:
    """An instance of the dataclass ``cls``; unknown section keys are ignored, unknown override
    keys refused. ``env_keys`` limits which fields the environment may set (default: all, when a
    ``prefix`` is given); ``special`` gives a converter for fields no plain type describes;
    ``what`` names the settings in messages, in pt-BR ("motor", "sincronização")."""
    kinds = {f.name: str(f.type) for f in fields(cls)}  # type: ignore[arg-type]
    special = special or {}
    where = f" ({what})" if what else ""

    def convert(name: str, raw: Any) -> Any:
        if name in special:
            try:
                return special[name](raw)
            except (TypeError, ValueError, AttributeError) as exc:
                raise ConfigError(f"valor inválido para {name}: {raw!r}") from exc
        return coerce(name, kinds[name], raw)

    values: dict[str, Any] = {
        k: convert(k, raw) for k, raw in (section or {}).items() if k in kinds
    }
    if env is not None and prefix:
        for key in env_keys if env_keys is not None else kinds:
            raw = env.get(prefix + key.upper())
            if raw is not None and raw != "":
                values[key] = convert(key, raw)
    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        if key not in kinds:
            raise ConfigError(f"opção desconhecida{where}: {key}")
        values[key] = convert(key, raw)
    try:
        return cls(**values)
    except TypeError as exc:  # a wrong type that slipped past coercion
        raise ConfigError(f"configuração inválida{where}: {exc}") from exc
