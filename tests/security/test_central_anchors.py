# ruff: noqa: F811 - pytest fixtures imported from central_fixtures are redefined as parameters
"""Anchors outside the box (docs/SECURITY.md, "Central"): the kiosk's own sync sends each
punch's head and its key fingerprint to a real Central (uvicorn + PostgreSQL), queued while
offline; Central flags a head that goes backwards, an NSR repeated with another hash and a
changed key, and shows them, with the kiosk's own security alerts, to HR and IT on the Hoje
page."""

from __future__ import annotations

import re
import shutil

import httpx
from sqlalchemy import text

from app import paths
from app.central import auth, service
from app.central.db import session_scope
from app.store import alerts
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.sync.central import CentralSync
from app.sync.central_join import join
from app.sync.central_settings import CentralSection
from tests.security.central_fixtures import central, central_db, central_url, pg_cluster  # noqa: F401

PIN = "582914"
PASSWORD = "senha-de-teste-1"


def _sql(central, query: str) -> list:
    with session_scope(central.factory) as s:
        return list(s.execute(text(query)).all())


def _alerts(central) -> list[tuple[str, str]]:
    return [tuple(r) for r in _sql(central, "SELECT kind, detail FROM kiosk_events WHERE alert")]


def _punch(ledger: Ledger, n: int) -> None:
    ana = ledger.find_by_pin(PIN)
    for _ in range(n):
        ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 8 00", validated=True))


def _sync(ledger: Ledger) -> CentralSync:
    return CentralSync(ledger, CentralSection.load(), save_status=True)


def test_rollback_to_an_older_copy_is_flagged_by_central(pv_home, central):
    with session_scope(central.factory) as s:
        code = service.create_code(s)
        service.add_employee(s, "Ana Souza", "52998224725", PIN)
        auth.create_user(s, "rh", "Rita do RH", PASSWORD, "rh")
        auth.create_user(s, "ti", "Tina da TI", PASSWORD, "ti")
    join(central.url, code, "Porta 1")
    ledger = Ledger.open()
    _sync(ledger).run_once()  # roster down
    _punch(ledger, 1)
    _sync(ledger).run_once()
    ledger.close()
    backup = pv_home / "copia-antiga"
    shutil.copytree(paths.data_dir(), backup)  # an old copy: ledger, high-water file, all

    ledger = Ledger.open()
    _punch(ledger, 2)  # offline: queued, then both heads go up at once
    head_before = alerts.ledger_head(ledger)
    _sync(ledger).run_once()
    ledger.close()
    anchored = {n for (n,) in _sql(central, "SELECT nsr FROM kiosk_anchors")}
    assert {head_before[0], head_before[0] - 1} <= anchored  # each punch's head, not only the last
    assert _alerts(central) == []  # an honest history raises nothing

    # the attack: delete the last punches by putting the older copy back
    shutil.rmtree(paths.data_dir())
    shutil.copytree(backup, paths.data_dir())
    ledger = Ledger.open()
    try:
        sync = _sync(ledger)
        sync.anchor()
        kinds = [k for k, _ in _alerts(central)]
        assert kinds == ["ancora_recuou"], kinds
        _punch(ledger, 1)  # reuses an NSR Central already anchored, with another hash
        sync.anchor()
    finally:
        ledger.close()
    kinds = sorted(k for k, _ in _alerts(central))
    assert kinds == ["ancora_recuou", "nsr_repetido"], kinds

    for user in ("rh", "ti"):  # both see it on Hoje
        with httpx.Client(base_url=central.url, timeout=30) as c:
            assert c.post("/entrar", data={"usuario": user, "senha": PASSWORD}).status_code == 303
            page = c.get("/").text
        assert 'id="alertas-seguranca"' in page
        assert 'data-kind="ancora_recuou"' in page and 'data-kind="nsr_repetido"' in page

    with httpx.Client(base_url=central.url, timeout=30) as c:  # RH acknowledges one
        assert c.post("/entrar", data={"usuario": "rh", "senha": PASSWORD}).status_code == 303
        page = c.get("/").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        (first,) = _sql(central, "SELECT id FROM kiosk_events WHERE kind = 'ancora_recuou'")
        r = c.post(f"/alertas/{first[0]}/ciente", data={"csrf": csrf})
        assert r.status_code == 303
        page = c.get("/").text
    assert 'data-kind="ancora_recuou"' not in page and 'data-kind="nsr_repetido"' in page
    assert _sql(central, "SELECT count(*) FROM hr_audit WHERE action = 'alerta_ciente'")[0][0] == 1


def test_key_change_and_kiosk_alerts_reach_central(pv_home, central):
    with session_scope(central.factory) as s:
        code = service.create_code(s)
        service.add_employee(s, "Ana Souza", "52998224725", PIN)
    join(central.url, code, "Porta 1")
    ledger = Ledger.open()
    try:
        sync = _sync(ledger)
        sync.run_once()
        alerts.record_alert(ledger, "pin_guessing", "12 PINs diferentes errados em 1 hora")
        sync.run_once()
        assert alerts.unsent_alerts(ledger) == []  # Central confirmed it: marked sent
        sync.run_once()  # nothing new: not sent twice
    finally:
        ledger.close()
    assert [k for k, _ in _alerts(central)] == ["quiosque:pin_guessing"]
    fp = _sql(central, "SELECT key_fingerprint FROM kiosks")[0][0]
    assert fp and len(fp) == 32

    # a re-keyed ledger (new key, re-chained): same credential, another fingerprint
    section = CentralSection.load()
    with httpx.Client(base_url=central.url, timeout=10) as c:
        r = c.post("/api/v1/anchors", headers={"Authorization": f"Bearer {section.token}"},
                   json={"head": {"nsr": section.anchored_nsr, "hash": section.anchored_hash},
                         "key_fingerprint": "ab" * 16,
                         "alerts": [{"id": 1, "at": "2026-12-06T05:00:00+00:00",
                                     "kind": "pin_guessing", "detail": "reenvio"}]})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["alerts"] == ["chave_trocada"] and r.json()["alert_ids"] == [1]
    kinds = sorted(k for k, _ in _alerts(central))
    assert kinds == ["chave_trocada", "quiosque:pin_guessing"]  # the resent alert kept once
