"""What a kiosk reports about itself (``X-Kiosk-Version``, ``X-Kiosk-Queue``) reaches Central's
kiosk row and the "Hoje" page: a real kiosk ledger and its own sync code against a real Central
(subprocess, real PostgreSQL, real HTTP), the page read by a logged-in TI user. Bad values are
ignored and never cost the kiosk its upload."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import create_engine, text

import app.central.hr_models  # noqa: F401 - registers the HR tables for central_db's TRUNCATE
from app import __version__
from app.central import auth, service
from app.central.db import make_engine, normalize_url, session_factory, session_scope
from app.central.kiosk_status import parse_kiosk_status
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.roster import records_after
from app.store.settings import LedgerSettings
from app.sync.central import CentralSync
from app.sync.central_join import join
from app.sync.central_settings import CentralSection
from tests.central.conftest import enroll_kiosk

PASSWORD = "senha-de-teste-1"


def kiosk_row(db: str, kiosk_id: int = 1):
    engine = create_engine(normalize_url(db))
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT app_version, queue_pending, status_reported_at, last_seen_at"
                " FROM kiosks WHERE id = :k"
            ),
            {"k": kiosk_id},
        ).one()
    engine.dispose()
    return row


def sql(db: str, query: str) -> None:
    engine = create_engine(normalize_url(db))
    with engine.begin() as conn:
        conn.execute(text(query))
    engine.dispose()


def kiosk_cells(page: str, name: str) -> tuple[str, str]:
    """The text of the Fila and Versão cells of kiosk ``name`` on the Hoje page."""
    row = re.search(rf"<tr><td[^>]*>{re.escape(name)}</td>(.*?)</tr>", page, re.S)
    assert row, f"no row for {name}"
    cells = {}
    for cls in ("fila", "versao"):
        m = re.search(rf'<td class="{cls}"[^>]*>(.*?)</td>', row.group(1), re.S)
        assert m, f"no {cls} cell"
        cells[cls] = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
    return cells["fila"], cells["versao"]


@pytest.fixture()
def ti_page(central_server):
    """GET the Hoje page as a TI user, on the same Central the kiosk talks to."""
    sessions = session_factory(make_engine(central_server.database_url, pool_size=1))
    with session_scope(sessions) as s:
        auth.create_user(s, "ti", "Tina da TI", PASSWORD, "ti")
    client = httpx.Client(base_url=central_server.url, timeout=30)
    r = client.post("/entrar", data={"usuario": "ti", "senha": PASSWORD})
    assert r.status_code == 303, r.text

    def get() -> str:
        page = client.get("/")
        assert page.status_code == 200 and "Quiosques" in page.text
        return page.text

    yield get
    client.close()


def test_sync_reports_version_and_queue_before_each_call(pv_home, central_server, ti_page):
    db = central_server.database_url
    sessions = session_factory(make_engine(db, pool_size=1))
    with session_scope(sessions) as s:
        code = service.create_code(s)
        service.add_employee(s, "Ana Souza", "52998224725", "582914")
    join(central_server.url, code, "Porta 1")
    assert kiosk_row(db).queue_pending is None  # enrolled, not yet synced: the page says "—"
    assert kiosk_cells(ti_page(), "Porta 1") == ("—", "—")

    ledger = Ledger.open()
    # poll interval 0: every pass pulls the roster, so every pass makes at least one call
    section = replace(CentralSection.load(), poll_interval_s=0.0, batch_size=2)
    sync = CentralSync(ledger, section)
    try:
        first = sync.run_once()  # roster down (Ana: a type-5 event, NSR 1), then pushed
        assert (first.accepted, first.central_head_nsr) == (1, 1)
        ana = ledger.find_by_pin("582914")
        assert ana is not None
        for kind in ("ENTRADA", "INTERVALO", "RETORNO"):
            ledger.record_punch(PunchDraft(ana.id, kind, f"{kind} 8 00", validated=True))
        assert sync.queue_now() == 3

        # the roster call says 3 (X-Kiosk-Queue, before the call), the first batch of 2 leaves 1
        pushed = sync.run_once()
        assert (pushed.accepted, pushed.pending) == (3, 0)
        row = kiosk_row(db)
        # the last upload's own head (NSR 4) against Central's (4): nothing waits any more
        assert (row.app_version, row.queue_pending) == (__version__, 0)
        assert row.status_reported_at is not None
        assert kiosk_cells(ti_page(), "Porta 1") == ("0", __version__)

        # two more punches: the next call reports them before they are sent
        for kind in ("SAIDA", "ENTRADA"):
            ledger.record_punch(PunchDraft(ana.id, kind, f"{kind} 9 00", validated=True))
        sync.pull_roster()
        assert kiosk_row(db).queue_pending == 2
        assert kiosk_cells(ti_page(), "Porta 1") == ("2", __version__)

        # the same queue on a kiosk not heard from in an hour: flagged for IT
        sql(db, "UPDATE kiosks SET last_seen_at = now() - interval '1 hour'")
        page = ti_page()
        assert kiosk_cells(page, "Porta 1") == ("2 por enviar", __version__)
        assert "Off-line com 2 registros por enviar" in page

        sync.run_once()  # sent: the upload reports the drained queue
        row = kiosk_row(db)
        assert (row.app_version, row.queue_pending) == (__version__, 0)
        assert kiosk_cells(ti_page(), "Porta 1") == ("0", __version__)
        with session_scope(sessions) as s:
            report = {k["id"]: k for k in service.kiosk_report(s)}
        assert (report[1]["app_version"], report[1]["queue_pending"]) == (__version__, 0)
    finally:
        sync.stop()
        ledger.close()


def test_bad_status_headers_are_ignored_and_the_upload_goes_on(tmp_path, central_server):
    db = central_server.database_url
    token = enroll_kiosk(central_server)
    client = httpx.Client(base_url=central_server.url, headers={"Authorization": f"Bearer {token}"})
    ledger = Ledger.open(tmp_path / "ledger.sqlite3", LedgerSettings(kiosk_id="01"))
    try:
        ana = ledger.add_employee("Ana Souza", "52998224725", pin="582914")
        for kind in ("ENTRADA", "SAIDA"):
            ledger.record_punch(PunchDraft(ana.id, kind, f"{kind} 8 00", validated=True))
        good = {"X-Kiosk-Version": "1.2.3", "X-Kiosk-Queue": "7"}
        assert client.get("/api/v1/head", headers=good).status_code == 200
        assert kiosk_row(db)[:2] == ("1.2.3", 7)

        records = records_after(ledger, 0, 200)
        bad_headers: list[dict[str, str | bytes]] = [
            {"X-Kiosk-Version": "x" * 500, "X-Kiosk-Queue": "-5"},
            {"X-Kiosk-Version": "1.0\tbeta", "X-Kiosk-Queue": "abc"},
            {"X-Kiosk-Version": "1.0-\xe9".encode("latin-1"), "X-Kiosk-Queue": "99999999999"},
            {"X-Kiosk-Version": "", "X-Kiosk-Queue": "+4"},
        ]
        for i, headers in enumerate(bad_headers):
            body = {
                "punches": [w.body for w in records[: i + 1] if w.kind == "punch"],
                "events": [w.body for w in records[: i + 1] if w.kind == "event"],
            }
            r = client.post("/api/v1/punches", json=body, headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["head_nsr"] == min(i + 1, len(records))
            assert client.get("/api/v1/roster", headers=headers).status_code == 200
            assert kiosk_row(db)[:2] == ("1.2.3", 7)  # the last good values stay
        assert kiosk_row(db).last_seen_at is not None
    finally:
        client.close()
        ledger.close()


@pytest.mark.parametrize(
    ("version", "queue", "expected"),
    [
        ("0.1.0", "0", ("0.1.0", 0)),
        (" 2.0.0-rc1 ", " 12 ", ("2.0.0-rc1", 12)),
        ("v" * 32, "99999999", ("v" * 32, 99_999_999)),
        ("v" * 33, "100000000", (None, None)),
        (None, None, (None, None)),
        ("", "", (None, None)),
        ("1.0\x00", "-5", (None, None)),
        ("1.0\r\nX-Evil: 1", "5.0", (None, None)),
        ("versão", "²", (None, None)),
        ("1.0", "+5", ("1.0", None)),
        ("1.0", "0x10", ("1.0", None)),
    ],
)
def test_status_header_parsing(version, queue, expected):
    got = parse_kiosk_status(version, queue)
    assert (got.version, got.queue) == expected
