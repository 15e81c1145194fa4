"""Central's domain errors: the one hierarchy for the kiosk API and the HR pages (messages in
pt-BR: IT, HR and kiosk admins read them).

Mapped to HTTP once per front: the kiosk API answers ``{"error": message}`` with ``status``
(``app.central.app``); the HR pages show ``title`` and ``message`` as a page with ``status``
(``app.central.web.errors``).
"""

from __future__ import annotations

from app.core.errors import PontoVozError


class CentralError(PontoVozError):
    """Base: ``status`` is the HTTP status, ``title`` heads the page that shows it."""

    status = 400
    title = "Não foi possível concluir"
    default_message = ""

    def __init__(self, message: str = "", title: str | None = None) -> None:
        super().__init__(message or self.default_message)
        if title is not None:
            self.title = title

    @property
    def message(self) -> str:
        return str(self)


class NotAuthorized(CentralError):
    """No, unknown or revoked kiosk credential."""

    status = 401


class Forbidden(CentralError):
    """A signed-in HR user whose role lacks the permission."""

    status = 403
    title = "Acesso negado"
    default_message = "Seu perfil não tem acesso a esta página."


class EnrollmentRefused(CentralError):
    """Unknown, used or expired enrollment code."""

    status = 403


class NotFound(CentralError):
    status = 404
    title = "Não encontrado"
    default_message = "O que você procurou não existe."


class Conflict(CentralError):
    status = 409


class BadInput(CentralError):
    status = 422
