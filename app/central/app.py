"""Central's ASGI app: the kiosk API (``kiosk_api.router``, ``/api/v1``) and the HR back office
(every other path), behind the front door (``front_door``: body limits and the kiosk token
checked before a body byte is read).

    app = create_app("postgresql://...")

Errors are mapped once: CentralError -> its status, bad JSON -> 422, database down -> 503 with
Retry-After (the kiosk keeps the punch and retries); never a 500 for anything a client sends.
Every answer carries Central's clock (``X-Central-Time``), refusals at the door included, so a
kiosk can tell Central's refusal from another server's.
"""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.central import service
from app.central.db import make_engine, session_factory
from app.central.errors import CentralError
from app.central.front_door import DoorLimits, FrontDoor, Refused
from app.central.kiosk_api import now_iso, router
from app.central.models import Kiosk
from app.central.web.app import create_web_app

log = logging.getLogger(__name__)


def create_app(database_url: str, pool_size: int = 10, limits: DoorLimits | None = None) -> ASGIApp:
    """The whole Central as one ASGI app (``.fastapi`` is the FastAPI app inside the door)."""
    engine = make_engine(database_url, pool_size=pool_size)
    factory = session_factory(engine)
    app = FastAPI(title="PontoVoz Central", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.sessions = factory
    app.include_router(router)
    install_handlers(app)
    app.mount("/", create_web_app(factory))  # the HR back office: every path but /api
    door = FrontDoor(app, token_check(factory), limits)
    return CentralClock(door, app)


class CentralClock:
    """Adds ``X-Central-Time`` to every answer (the door's refusals too)."""

    def __init__(self, app: ASGIApp, inner: FastAPI) -> None:
        self.app = app
        self.fastapi = inner
        self.state = inner.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-central-time", now_iso().encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, stamped)


def token_check(factory: sessionmaker):
    """The door's check: the same pt-BR 401s as the routes, one indexed lookup, no body read."""

    def check(authorization: str | None) -> None:
        try:
            digest = service.token_hash(authorization)
            with factory() as s:
                row = s.execute(
                    select(Kiosk.id, Kiosk.revoked_at).where(Kiosk.token_hash == digest)
                ).first()
            service.check_kiosk(row)
        except CentralError as exc:
            raise Refused(exc.status, str(exc)) from None
        except SQLAlchemyError as exc:
            log.warning("database unavailable at the door: %s", exc)
            raise Refused(
                503, "banco de dados indisponível; tente de novo", {"Retry-After": "2"}
            ) from None

    return check


def from_env() -> ASGIApp:
    """uvicorn factory (``--workers`` > 1 needs an import string): URL from PONTOVOZ_CENTRAL_DB."""
    return create_app(os.environ["PONTOVOZ_CENTRAL_DB"])


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(CentralError)
    async def central_error(request: Request, exc: CentralError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _error(422, f"dados inválidos em {where or 'corpo'}: {first.get('msg', '')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = "endereço não encontrado" if exc.status_code == 404 else str(exc.detail)
        return _error(exc.status_code, text)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def db_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return _error(503, "banco de dados indisponível; tente de novo", {"Retry-After": "2"})

    @app.exception_handler(DBAPIError)
    async def db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return _error(503, "banco de dados reiniciando; tente de novo", {"Retry-After": "2"})
        log.exception("database error")
        return _error(500, "erro interno da Central (registrado no log)")
