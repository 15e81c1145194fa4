"""Central's HTTP app for kiosks (``/api/v1``). Routes are thin: they authenticate the kiosk,
call ``service``/``ingest`` in one transaction, and answer JSON. Every answer carries Central's
clock (``X-Central-Time`` and ``server_time``) so kiosks can record their offset.

    app = create_app("postgresql://...")     # the HR web pages mount on the same app

Errors are mapped once: CentralError -> its status, bad JSON -> 422, database down -> 503 with
Retry-After (the kiosk keeps the punch and retries); never a 500 for anything a client sends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.central import service
from app.central.db import make_engine, session_factory, session_scope
from app.central.errors import CentralError
from app.central.ingest import claim, divergences, gaps, ingest
from app.central.schemas import (
    EmployeesIn,
    EmployeesOut,
    EnrollIn,
    EnrollOut,
    HeadOut,
    PushIn,
    PushOut,
    RosterOut,
)

log = logging.getLogger(__name__)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit on success, roll back on any error."""
    with session_scope(request.app.state.sessions) as s:
        yield s


# scope="function": commit *before* the answer is sent. With the default scope FastAPI runs the
# code after ``yield`` once the response is on its way, so a kiosk could be told "held" for a
# batch whose COMMIT then failed (the load tool caught this as a race).
Db = Annotated[Session, Depends(db_session, scope="function")]
Auth = Annotated[str | None, Header()]
IfNoneMatch = Annotated[str | None, Header()]


@dataclass(frozen=True)
class KioskSays:
    """What a kiosk tells about itself on every call: its clock (``X-Kiosk-Time``, raw) and
    its version and queue (validated, or None where missing or bad: never an error)."""

    time: str | None
    status: service.KioskStatus


def kiosk_says(
    time: Annotated[str | None, Header(alias="X-Kiosk-Time")] = None,
    version: Annotated[str | None, Header(alias="X-Kiosk-Version")] = None,
    queue: Annotated[str | None, Header(alias="X-Kiosk-Queue")] = None,
) -> KioskSays:
    return KioskSays(time, service.parse_kiosk_status(version, queue))


Says = Annotated[KioskSays, Depends(kiosk_says)]


def create_app(database_url: str, pool_size: int = 10) -> FastAPI:
    engine = make_engine(database_url, pool_size=pool_size)
    factory = session_factory(engine)
    app = FastAPI(title="PontoVoz Central", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.sessions = factory

    @app.middleware("http")
    async def central_clock(request: Request, call_next):
        response = await call_next(request)
        response.headers["X-Central-Time"] = now_iso()
        return response

    @app.get("/api/v1/time")
    def time_now() -> dict:
        return {"server_time": now_iso()}

    @app.get("/healthz")
    def health(db: Db) -> dict:
        db.execute(select_one())
        return {"ok": True, "server_time": now_iso()}

    @app.post("/api/v1/enroll")
    def enroll(body: EnrollIn, db: Db) -> EnrollOut:
        done = service.enroll(db, body.code, body.name, body.ledger_kiosk_id)
        return EnrollOut(
            kiosk=done.kiosk, rep_number=done.rep_number, token=done.token,
            roster_pepper=done.pepper.hex(), server_time=now_iso(),
        )  # fmt: skip

    @app.get("/api/v1/roster")
    def roster(
        db: Db,
        response: Response,
        says: Says,
        authorization: Auth = None,
        if_none_match: IfNoneMatch = None,
    ):
        kiosk = service.authenticate(db, authorization)
        service.seen(db, kiosk, says.time, says.status)
        version, people = service.roster(db, kiosk.id)
        if if_none_match and if_none_match.strip('"') == version:
            return Response(status_code=304, headers={"ETag": f'"{version}"'})
        response.headers["ETag"] = f'"{version}"'
        return RosterOut(version=version, employees=people, server_time=now_iso())

    @app.get("/api/v1/head")
    def head(
        db: Db,
        says: Says,
        authorization: Auth = None,
    ) -> HeadOut:
        kiosk = service.authenticate(db, authorization)
        service.seen(db, kiosk, says.time, says.status)
        conn = db.connection()
        return HeadOut(
            kiosk=kiosk.id, head_nsr=kiosk.head_nsr, head_hash=kiosk.head_hash,
            gaps=gaps(conn, kiosk.id, kiosk.head_nsr), server_time=now_iso(),
            rep_number=kiosk.rep_number, ledger_kiosk_id=kiosk.ledger_kiosk_id,
            divergences=divergences(conn, kiosk.id),
        )  # fmt: skip

    @app.post("/api/v1/employees")
    def employees_up(
        body: EmployeesIn,
        db: Db,
        says: Says,
        authorization: Auth = None,
    ) -> EmployeesOut:
        """The kiosk's own employees, sent before it takes the roster down: merged by CPF."""
        kiosk = service.authenticate(db, authorization)
        service.seen(db, kiosk, says.time, says.status)
        merged = service.merge_kiosk_employees(db, kiosk, body.employees)
        return EmployeesOut(created=merged.created, known=merged.known, server_time=now_iso())

    @app.post("/api/v1/punches")
    def punches(
        body: PushIn,
        db: Db,
        says: Says,
        authorization: Auth = None,
    ) -> PushOut:
        conn = db.connection()
        digest = service.token_hash(authorization)
        kiosk = claim(conn, digest, service.parse_kiosk_time(says.time), says.status)
        result = ingest(conn, service.check_kiosk(kiosk), body.punches, body.head, body.events)
        return PushOut(
            accepted=result.accepted, duplicates=result.duplicates, conflicts=result.conflicts,
            quarantined=result.quarantined, head_nsr=result.head_nsr, head_hash=result.head_hash,
            gaps=result.gaps, divergences=result.divergences, server_time=now_iso(),
        )  # fmt: skip

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def api_unknown(rest: str) -> JSONResponse:
        """Kiosks get JSON for an unknown /api path, not the back office's HTML page."""
        return _error(404, "endereço não encontrado")

    install_handlers(app)
    from app.central.web import create_web_app  # the HR back office: every path but /api

    app.mount("/", create_web_app(factory))
    return app


def from_env() -> FastAPI:
    """uvicorn factory (``--workers`` > 1 needs an import string): URL from PONTOVOZ_CENTRAL_DB."""
    import os

    return create_app(os.environ["PONTOVOZ_CENTRAL_DB"])


def select_one():
    from sqlalchemy import text

    return text("SELECT 1")


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
