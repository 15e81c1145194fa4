"""The kiosk app starts the Central sync when its settings hold a Central credential, and a
punch reaches Central after a wake (real ledger, real HTTP, the kiosk's own sync module)."""

from __future__ import annotations

import time
from types import SimpleNamespace

from app.central import service
from app.central.db import make_engine, session_factory, session_scope
from app.kiosk import sync as kiosk_sync
from app.kiosk.settings import KioskSettings
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.sync.central import CentralSection, join


def test_kiosk_starts_central_sync_and_pushes_on_wake(pv_home, central_server):
    sessions = session_factory(make_engine(central_server.database_url, pool_size=1))
    with session_scope(sessions) as s:
        code = service.create_code(s)
        service.add_employee(s, "Ana Souza", "52998224725", "1234")
    join(central_server.url, code, "Porta 1")
    ledger = Ledger.open()
    shown: list[str] = []
    # the window as kiosk.sync sees it: settings, ledger, and the idle screen's sync label
    win = SimpleNamespace(settings=KioskSettings(), ledger=ledger, sync_worker=None,
                          idle=SimpleNamespace(set_sync=shown.append))  # fmt: skip
    kiosk_sync.apply(win)
    try:
        assert win.central_sync is not None
        deadline = time.monotonic() + 20
        while ledger.find_by_pin("1234") is None and time.monotonic() < deadline:
            time.sleep(0.1)  # the first pass pulls the roster
        ana = ledger.find_by_pin("1234")
        assert ana is not None
        ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 8 00", validated=True))
        win.central_sync.wake()
        while win.central_sync.pending_count() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert win.central_sync.pending_count() == 0
        saved = CentralSection.load()
        assert saved.central_head_nsr == 2 and saved.clock_offset_s is not None
    finally:
        kiosk_sync.stop(win)
        ledger.close()
    assert win.central_sync is None
