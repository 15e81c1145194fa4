"""Central's domain errors, mapped to HTTP once in ``app.central.app`` (messages in pt-BR:
IT and kiosk admins read them)."""

from __future__ import annotations

from app.core.errors import PontoVozError


class CentralError(PontoVozError):
    status = 400


class NotAuthorized(CentralError):
    """No, unknown or revoked kiosk credential."""

    status = 401


class EnrollmentRefused(CentralError):
    """Unknown, used or expired enrollment code."""

    status = 403


class NotFound(CentralError):
    status = 404


class Conflict(CentralError):
    status = 409


class BadInput(CentralError):
    status = 422
