"""HTTP errors of the API and the one place every error becomes ``{"error": "..."}``.

Routes raise domain errors (the core's ``PontoVozError`` family, or the ``ApiError`` family
below); ``install_handlers`` maps them to status codes once. Nothing a client sends can turn
into a 500: only a bug can, and then the body is still JSON. Messages are pt-BR; the field
names of the contract (``expected_speech``, ``audio``) stay as they are.
"""

from __future__ import annotations

import logging
import math
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import AudioError, ModelError, PhraseError, PontoVozError

log = logging.getLogger(__name__)

#: Library error numbers ("[Errno 1094995529]" from PyAV/FFmpeg) and placeholder file names
#: mean nothing to a client; the sentence around them does.
_NOISE = re.compile(r"\[Errno -?\d+\]\s*|:\s*'<none>'")

USAGE = 'envie POST / com um corpo JSON {"expected_speech": "ENTRADA 13 40", "audio": "<base64>"}'


class ApiError(Exception):
    """An error of the HTTP surface, with its status code and extra headers."""

    status = 400

    def __init__(self, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401

    def __init__(self, message: str):
        super().__init__(message, {"WWW-Authenticate": "Bearer"})


class RequestTimeout(ApiError):
    """The body stalled: answer and close (the rest of the body will not be waited for)."""

    status = 408

    def __init__(self, message: str):
        super().__init__(message, {"Connection": "close"})


class PayloadTooLarge(ApiError):
    status = 413


class InvalidField(ApiError):
    status = 422


class Overloaded(ApiError):
    status = 503

    def __init__(self, message: str, retry_after: float):
        seconds = max(1, min(120, math.ceil(retry_after)))
        super().__init__(message, {"Retry-After": str(seconds)})
        self.retry_after = seconds


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _status_for(exc: PontoVozError) -> int:
    if isinstance(exc, PhraseError | AudioError):
        return 422
    if isinstance(exc, ModelError):
        return 503  # the server's model is missing or broken: not the client's fault
    return 422


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


async def _core_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PontoVozError)
    status = _status_for(exc)
    if status >= 500:
        log.error("core error on %s %s: %s", request.method, request.url.path, exc)
        return error_response(status, f"o modelo de voz não está disponível: {plain(str(exc))}")
    return error_response(status, plain(str(exc)))


def plain(message: str) -> str:
    """A core error's message without library error numbers."""
    return " ".join(_NOISE.sub("", message).split())


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        message = (
            f"caminho inexistente: {request.method} {request.url.path}; {USAGE}, ou GET /health"
        )
    elif exc.status_code == 405:
        message = f"o método {request.method} não é permitido em {request.url.path}; {USAGE}"
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"valor inválido em {where}: {err['msg']}")
    return error_response(422, "; ".join(parts) or "requisição inválida")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "erro interno; a requisição não foi processada")


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(PontoVozError, _core_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
