"""The kiosk app starts the Central sync when its settings hold a Central credential, and a
punch reaches Central after a wake (real ledger, real HTTP, the kiosk's own sync module)."""

from __future__ import annotations

import time
from types import SimpleNamespace

from app.central import service
from app.central.db import make_engine, session_factory, session_scope
from app.kiosk.settings import KioskSettings
from app.kiosk.sync import KioskSync
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.sync.central_join import join
from app.sync.central_settings import CentralSection


def test_kiosk_starts_central_sync_and_pushes_on_wake(pv_home, central_server):
    sessions = session_factory(make_engine(central_server.database_url, pool_size=1))
    with session_scope(sessions) as s:
        code = service.create_code(s)
        service.add_employee(s, "Ana Souza", "52998224725", "582914")
    join(central_server.url, code, "Porta 1")
    ledger = Ledger.open()
    shown: list[str] = []
    # the kiosk's sync object with the idle screen's sync label
    sync = KioskSync(SimpleNamespace(set_sync=shown.append))
    sync.apply(KioskSettings(), ledger)
    try:
        assert sync.central is not None
        deadline = time.monotonic() + 20
        while ledger.find_by_pin("582914") is None and time.monotonic() < deadline:
            time.sleep(0.1)  # the first pass pulls the roster
        ana = ledger.find_by_pin("582914")
        assert ana is not None
        ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 8 00", validated=True))
        sync.central.wake()
        while sync.central.pending_count() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sync.central.pending_count() == 0
        saved = CentralSection.load()
        assert saved.central_head_nsr == 2 and saved.clock_offset_s is not None
    finally:
        sync.stop()
        ledger.close()
    assert sync.central is None
