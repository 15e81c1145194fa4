"""A real PostgreSQL for Central's tests: one throwaway cluster per session (initdb into a tmp
dir, own port and socket dir, password auth; run as the ``postgres`` user when we are root).

Fixtures: ``pg_cluster`` (session: the running cluster), ``central_url`` (session: a migrated
database URL), ``central_db`` (function: the same URL after emptying every Central table),
``central_server`` (function: a running ``central serve`` subprocess on that database;
``CentralProcess`` for more control). ``enroll_kiosk``: a kiosk credential on such a server.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.central import pgcluster
from app.lab.central_proc import CentralProcess


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    # not under pytest's tmp dir: it is private to root, and the server runs as ``postgres``
    root = Path(tempfile.mkdtemp(prefix="pontovoz-pg-"))
    root.chmod(0o755)
    cluster = pgcluster.create(root / "cluster")
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def central_url(pg_cluster) -> str:
    from app.central.db import migrate

    migrate(pg_cluster.url)
    return pg_cluster.url


@pytest.fixture()
def central_db(central_url) -> str:
    """The migrated database with every Central table emptied (the schema stays)."""
    from sqlalchemy import create_engine, text

    from app.central.db import normalize_url
    from app.central.models import Base

    engine = create_engine(normalize_url(central_url))
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET session_replication_role = replica"))  # skip append-only trigger
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return central_url


@pytest.fixture()
def central_server(central_db) -> Iterator[CentralProcess]:
    """A running Central on an emptied database."""
    server = CentralProcess(central_db)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def enroll_kiosk(server: CentralProcess, label: str = "") -> str:
    """A fresh kiosk credential, the way a kiosk gets one: a one-time code made in the
    server's database, spent on its kiosk API (as ledger kiosk "01"); the bearer token."""
    import httpx

    from app.central import service
    from app.central.db import make_engine, session_factory, session_scope

    engine = make_engine(server.database_url, pool_size=1)
    with session_scope(session_factory(engine)) as s:
        code = service.create_code(s, label)
    engine.dispose()
    resp = httpx.post(server.url + "/api/v1/enroll", json={"code": code, "ledger_kiosk_id": "01"})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["token"])
