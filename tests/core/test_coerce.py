"""The one loader behind every settings dataclass (engine, API, sync, ledger)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.core.coerce import from_sources
from app.core.errors import ConfigError


@dataclass(frozen=True)
class Demo:
    count: int = 1
    ratio: float = 0.5
    on: bool = False
    name: str = ""
    token: str | None = None


def test_precedence_section_env_overrides():
    got = from_sources(
        Demo,
        {"count": 2, "ratio": "0.25", "colour": "ignored"},
        env={"X_COUNT": "3", "X_ON": "yes", "X_NAME": ""},
        prefix="X_",
        overrides={"ratio": 0.75, "name": None},
    )
    assert got == Demo(count=3, ratio=0.75, on=True, name="", token=None)


def test_env_keys_limit_what_the_environment_may_set():
    got = from_sources(Demo, env={"X_COUNT": "9", "X_TOKEN": "t"}, prefix="X_", env_keys=["token"])
    assert (got.count, got.token) == (1, "t")


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"count": 2.5}, "valor inválido para count"),
        ({"count": True}, "valor inválido para count"),
        ({"count": "many"}, "valor inválido para count"),
        ({"on": "maybe"}, "valor inválido para on"),
        ({"ratio": [1]}, "valor inválido para ratio"),
    ],
)
def test_bad_values_name_the_field(section, message):
    with pytest.raises(ConfigError, match=message):
        from_sources(Demo, section)


def test_unknown_override_is_refused():
    with pytest.raises(ConfigError, match=r"opção desconhecida \(demo\): colour"):
        from_sources(Demo, overrides={"colour": "blue"}, what="demo")
