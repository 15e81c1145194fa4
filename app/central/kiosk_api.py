"""The kiosk API (``/api/v1``): one router, thin routes. ``CurrentKiosk`` authenticates the kiosk
and records the exchange (clock offset, version, queue); the front door (``front_door``) has
already refused an unknown token before the body was read. ``/punches`` authenticates and locks
the kiosk row in one statement (``kiosk_head.claim``) instead, so batches of one kiosk run in turn.

Every answer carries Central's clock (``server_time``; ``X-Central-Time`` is added by the app).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.central import anchors, service
from app.central.db import session_scope
from app.central.ingest import ingest
from app.central.kiosk_head import claim, gaps
from app.central.kiosk_status import KioskStatus, parse_kiosk_status, parse_kiosk_time
from app.central.models import Kiosk
from app.central.quarantine import divergences
from app.central.roster import merge_kiosk_employees, roster_for
from app.central.schemas import (
    AnchorsIn,
    AnchorsOut,
    EmployeesIn,
    EmployeesOut,
    EnrollIn,
    EnrollOut,
    HeadOut,
    PushIn,
    PushOut,
    RosterOut,
)


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
    status: KioskStatus


def kiosk_says(
    time: Annotated[str | None, Header(alias="X-Kiosk-Time")] = None,
    version: Annotated[str | None, Header(alias="X-Kiosk-Version")] = None,
    queue: Annotated[str | None, Header(alias="X-Kiosk-Queue")] = None,
) -> KioskSays:
    return KioskSays(time, parse_kiosk_status(version, queue))


Says = Annotated[KioskSays, Depends(kiosk_says)]


def current_kiosk(db: Db, says: Says, authorization: Auth = None) -> Kiosk:
    """The calling kiosk (401 in pt-BR otherwise), its exchange recorded."""
    kiosk = service.authenticate(db, authorization)
    service.seen(db, kiosk, says.time, says.status)
    return kiosk


CurrentKiosk = Annotated[Kiosk, Depends(current_kiosk)]

router = APIRouter()


@router.get("/api/v1/time")
def time_now() -> dict:
    return {"server_time": now_iso()}


@router.get("/healthz")
def health(db: Db) -> dict:
    db.execute(text("SELECT 1"))
    return {"ok": True, "server_time": now_iso()}


@router.post("/api/v1/enroll")
def enroll(body: EnrollIn, db: Db) -> EnrollOut:
    done = service.enroll(db, body.code, body.name, body.ledger_kiosk_id)
    return EnrollOut(
        kiosk=done.kiosk, rep_number=done.rep_number, token=done.token,
        roster_pepper=done.pepper.hex(), server_time=now_iso(),
    )  # fmt: skip


@router.get("/api/v1/roster", response_model=None)
def roster(
    db: Db, kiosk: CurrentKiosk, response: Response, if_none_match: IfNoneMatch = None
) -> Response | RosterOut:
    version, people = roster_for(db, kiosk.id)
    if if_none_match and if_none_match.strip('"') == version:
        return Response(status_code=304, headers={"ETag": f'"{version}"'})
    response.headers["ETag"] = f'"{version}"'
    return RosterOut(version=version, employees=people, server_time=now_iso())


@router.get("/api/v1/head")
def head(db: Db, kiosk: CurrentKiosk) -> HeadOut:
    conn = db.connection()
    return HeadOut(
        kiosk=kiosk.id, head_nsr=kiosk.head_nsr, head_hash=kiosk.head_hash,
        gaps=gaps(conn, kiosk.id, kiosk.head_nsr), server_time=now_iso(),
        rep_number=kiosk.rep_number, ledger_kiosk_id=kiosk.ledger_kiosk_id,
        divergences=divergences(conn, kiosk.id),
    )  # fmt: skip


@router.post("/api/v1/employees")
def employees_up(body: EmployeesIn, db: Db, kiosk: CurrentKiosk) -> EmployeesOut:
    """The kiosk's own employees, sent before it takes the roster down: merged by CPF."""
    merged = merge_kiosk_employees(db, kiosk, body.employees)
    return EmployeesOut(created=merged.created, known=merged.known, server_time=now_iso())


@router.post("/api/v1/anchors")
def anchors_up(body: AnchorsIn, db: Db, kiosk: CurrentKiosk) -> AnchorsOut:
    """The kiosk's ledger head(s), key fingerprint and security alerts (see ``anchors``)."""
    done = anchors.record(db, kiosk, body)
    return AnchorsOut(
        stored=done.stored, alerts=done.alerts, alert_ids=done.alert_ids, server_time=now_iso()
    )


@router.post("/api/v1/punches")
def punches(body: PushIn, db: Db, says: Says, authorization: Auth = None) -> PushOut:
    conn = db.connection()
    digest = service.token_hash(authorization)
    kiosk = claim(conn, digest, parse_kiosk_time(says.time), says.status)
    result = ingest(conn, service.check_kiosk(kiosk), body.punches, body.head, body.events)
    return PushOut(
        accepted=result.accepted, duplicates=result.duplicates, conflicts=result.conflicts,
        quarantined=result.quarantined, head_nsr=result.head_nsr, head_hash=result.head_hash,
        gaps=result.gaps, divergences=result.divergences, server_time=now_iso(),
    )  # fmt: skip


@router.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def api_unknown(rest: str) -> JSONResponse:
    """Kiosks get JSON for an unknown /api path, not the back office's HTML page."""
    return JSONResponse({"error": "endereço não encontrado"}, status_code=404)
