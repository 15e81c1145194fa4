"""Typed errors of the core. Every front maps these to its own surface in one place
(HTTP 4xx, CLI exit code 2, a kiosk message)."""

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
