# ruff: noqa: F811 - pytest fixtures imported from central_fixtures are redefined as parameters
"""Shared pieces for the Central attack replays (tests/security/test_central_*.py): a real
Central (the whole ASGI app, front door included) on uvicorn on 127.0.0.1 over the session's
throwaway PostgreSQL, and an enrolled kiosk; the raw-socket client that can be slow or huge
is tests.live_server's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

import app.central.hr_models  # noqa: F401 - registers the HR tables for central_db's TRUNCATE
from app.central import service
from app.central.app import create_app
from app.central.db import make_engine, session_factory, session_scope
from app.central.front_door import MB, DoorLimits
from tests.central.conftest import central_db, central_url, pg_cluster  # noqa: F401 - fixtures
from tests.live_server import LiveServer

#: Small limits so a test sees each refusal in well under a second of traffic.
TEST_LIMITS = DoorLimits(
    by_prefix={"/api/v1/punches": 2 * MB, "/api/v1/employees": 2 * MB, "/api/": MB, "/": MB},
    max_inflight=12 * MB,  # one 2 MB body takes 8 MB of it (BODY_COST 4)
    timeout_s=10.0,
    min_rate=64 * 1024,
    grace_s=1.5,
)


@dataclass
class Central:
    url: str
    host: str
    port: int
    factory: sessionmaker[Session]

    def enroll(self, name: str = "Porta 1", ledger_kiosk_id: str = "K1") -> str:
        """A kiosk credential, as ``central join`` gets it."""
        with session_scope(self.factory) as s:
            code = service.create_code(s)
        with session_scope(self.factory) as s:
            return service.enroll(s, code, name, ledger_kiosk_id).token


@pytest.fixture()
def central(central_db) -> Iterator[Central]:
    """The whole Central app (door, kiosk API, HR pages) on uvicorn, test limits."""
    engine = make_engine(central_db, pool_size=2)
    app = create_app(central_db, pool_size=4, limits=TEST_LIMITS)
    try:
        with LiveServer(app) as server:
            yield Central(server.url, "127.0.0.1", server.port, session_factory(engine))
    finally:
        engine.dispose()
        app.state.engine.dispose()
