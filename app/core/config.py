"""Engine options: one frozen dataclass, read from a settings file, the environment and flags.

Precedence (lowest to highest): defaults < the ``engine`` section of the settings file (read by
``app.settings``; core never opens it) < environment (``PONTOVOZ_*``, used by the Lambda) <
explicit overrides (CLI flags).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from app.core import punch_types
from app.core.coerce import from_sources
from app.core.errors import ConfigError, br_number

#: Canonical punch type -> words a person may say (app.core.punch_types is their home).
DEFAULT_PUNCH_TYPES: dict[str, tuple[str, ...]] = dict(punch_types.WORDS)

VIEWS = ("greedy", "pause")
COMPUTE_TYPES = ("int8", "int8_float32", "float32", "int16", "float16", "int8_float16")
ENV_PREFIX = "PONTOVOZ_"


def default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class Bounds:
    """The allowed range of a numeric option and its name on the admin screen: the loader,
    ``__post_init__`` and the kiosk's admin form all read these (one source)."""

    low: float
    high: float
    label: str

    def check(self, name: str, value: float) -> None:
        if not self.low <= value <= self.high:
            low, high = br_number(self.low), br_number(self.high)
            raise ConfigError(f"{name} deve estar entre {low} e {high}")


def _bounded(default: Any, low: float, high: float, label: str, **kw: Any) -> Any:
    return field(default=default, metadata={"bounds": Bounds(low, high, label)}, **kw)


@dataclass(frozen=True)
class EngineOptions:
    """Everything that changes how the verifier runs. Immutable; build a new one to change it.
    Numeric options carry their bounds and admin-screen label (``bounds()``)."""

    model_path: str = ""  # empty: the embedded model (below)
    # The embedded base with the punch-phrase delta merged (resources/model; `adapt`). Off: the
    # plain PyPI base.
    adapted: bool = True
    compute_type: str = "int8"
    cpu_threads: int = field(
        default_factory=default_threads,
        metadata={"bounds": Bounds(1, 64, "Threads de CPU")},
    )
    num_workers: int = _bounded(1, 1, 16, "Transcrições simultâneas")
    beam_size: int = _bounded(1, 1, 10, "Feixe")  # fast pass; the n-best view uses 5
    max_audio_seconds: float = _bounded(30.0, 1.0, 120.0, "Duração máxima do áudio (s)")
    language: str = "pt"
    # Closed-set scoring: accept only when the expected phrase beats the best competitor by this
    # many nats (summed log-probability over the phrase).
    score_margin: float = _bounded(2.0, 0.0, 50.0, "Margem de aceitação (nats)")
    # ...and only when the expected phrase itself is plausible: mean log-probability per token
    # of its best rendering at least this (guards silence, noise and unrelated speech).
    score_floor: float = _bounded(-2.0, -10.0, 0.0, "Piso de plausibilidade")
    # Score the expected phrase against its rivals when no view read it exactly.
    closed_set: bool = True
    # The views that read each clip, in order (app.core.views): "greedy", then "pause". The
    # pipeline stops as soon as the judge knows the verdict.
    views: tuple[str, ...] = VIEWS
    vad_threshold: float = _bounded(0.5, 0.05, 0.95, "Limiar de voz (VAD)")
    punch_types: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_PUNCH_TYPES)
    )

    def __post_init__(self) -> None:
        if self.compute_type not in COMPUTE_TYPES:
            raise ConfigError(f"compute_type deve ser um destes: {', '.join(COMPUTE_TYPES)}")
        for name, bounds in self.bounds().items():
            bounds.check(name, getattr(self, name))
        if not self.punch_types:
            raise ConfigError("punch_types deve ter pelo menos um tipo")
        if not self.views or self.views[0] != "greedy" or not set(self.views) <= set(VIEWS):
            raise ConfigError(f"views deve começar por greedy e usar só: {', '.join(VIEWS)}")
        if self.model_path and not Path(self.model_path).expanduser().is_dir():
            raise ConfigError(f"model_path não é uma pasta: {self.model_path}")

    @classmethod
    def bounds(cls) -> dict[str, Bounds]:
        """Field name -> Bounds, for every numeric option."""
        return {f.name: f.metadata["bounds"] for f in fields(cls) if "bounds" in f.metadata}

    def replace(self, **changes: Any) -> EngineOptions:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["punch_types"] = {k: list(v) for k, v in self.punch_types.items()}
        d["views"] = list(self.views)
        return d


def _views(raw: Any) -> tuple[str, ...]:
    items = raw.split(",") if isinstance(raw, str) else raw
    return tuple(str(v).strip().lower() for v in items if str(v).strip())


def _punch_types(raw: Any) -> dict[str, tuple[str, ...]]:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return {str(k).upper(): tuple(str(w).lower() for w in v) for k, v in data.items()}


def options_from(
    engine: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> EngineOptions:
    """Options from an ``engine`` settings section (unknown keys ignored), then the
    environment, then explicit overrides."""
    return from_sources(
        EngineOptions,
        engine,
        env=os.environ if env is None else env,
        prefix=ENV_PREFIX,
        overrides=overrides,
        special={"punch_types": _punch_types, "views": _views},
        what="motor",
    )
