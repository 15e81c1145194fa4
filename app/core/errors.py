"""Typed errors of the core. Every front maps these to its own surface in one place
(HTTP 4xx, CLI exit code 2, a kiosk message).

Their messages reach people (the API's ``{"error": ...}``, the CLI's stderr, the kiosk), so they
are Brazilian Portuguese; numbers in them go through ``br_number`` (decimal comma).
"""

from __future__ import annotations


class PontoVozError(Exception):
    """Base class: a problem the caller can fix or report, never a crash."""


class AudioError(PontoVozError):
    """The audio is empty, undecodable or too long."""


class PhraseError(PontoVozError):
    """The expected phrase is not 'TYPE H M'."""


class ModelError(PontoVozError):
    """The Whisper model is missing, incomplete or corrupt."""


class ConfigError(PontoVozError):
    """A setting has a bad value."""


def br_number(value: float, spec: str = "g") -> str:
    """``value`` formatted with ``spec``, written the pt-BR way: 45.0 -> '45,0', 0.5 -> '0,5'."""
    return format(value, spec).replace(".", ",")
