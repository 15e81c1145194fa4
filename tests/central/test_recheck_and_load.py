"""Central re-checks flagged punches with the same core (real model, real clip) and stores its
verdict beside the kiosk's; and a small load run: concurrent kiosks (real sync code, real
HTTP) with Central SIGKILLed and PostgreSQL restarted mid-run lose and duplicate nothing."""

from __future__ import annotations

import pytest

from app.central import service
from app.central.db import make_engine, session_factory, session_scope
from app.central.recheck import recheck_flagged
from app.lab.central_load import LoadOptions, run
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings
from app.sync.central import CentralSync
from app.sync.central_join import join
from app.sync.central_settings import CentralSection
from tests.central.hr_helpers import sql


def test_flagged_punch_rechecked_beside_the_kiosk_verdict(
    tmp_path, central_server, verifier, make_clip
):
    db = central_server.database_url
    sessions = session_factory(make_engine(db, pool_size=1))
    with session_scope(sessions) as s:
        code = service.create_code(s)
        service.add_employee(s, "Ana Souza", "52998224725", "582914")
    settings_file = tmp_path / "settings.json"
    settings_file.write_text('{"ledger": {"kiosk_id": "07", "audio_retention_days": 30}}')
    section = join(central_server.url, code, settings_file=settings_file,
                   ledger_path=tmp_path / "ledger.sqlite3")  # fmt: skip
    ledger = Ledger.open(tmp_path / "ledger.sqlite3", LedgerSettings.load(settings_file))
    sync = CentralSync(ledger, section, settings_file=settings_file)
    sync.run_once()
    ana = ledger.find_by_pin("582914")
    audio = make_clip("Entrada, oito e cinco.").read_bytes()
    for expected in ("ENTRADA 8 05", "SAIDA 17 30"):  # the kiosk flagged both (say, a timeout)
        ledger.record_punch(
            PunchDraft(ana.id, expected.split()[0], expected, transcript="", validated=False,
                       flag_reason="tempo esgotado", audio=audio)
        )  # fmt: skip
    assert sync.run_once().accepted == 2
    assert CentralSection.load(settings_file).central_head_nsr == 3  # 1: Ana's type-5 event

    assert recheck_flagged(sessions, verifier=verifier) == 2
    assert recheck_flagged(sessions, verifier=verifier) == 0  # once per punch
    got = sql(
        db,
        "SELECT p.expected, p.validated, p.transcript, v.validated, v.spoken_text"
        " FROM punches p JOIN central_verdicts v ON v.punch_id = p.id ORDER BY p.nsr",
    )
    assert [(g[0], g[1], g[2], g[3]) for g in got] == [
        ("ENTRADA 8 05", False, "", True),  # Central validates; the kiosk's record is unchanged
        ("SAIDA 17 30", False, "", False),
    ]
    assert "ntrada" in got[0][4]
    sync.stop()
    ledger.close()


@pytest.mark.slow
def test_small_load_with_crash_loses_nothing(pg_cluster, central_url):
    report = run(LoadOptions(kiosks=6, punches=120, batch=20, crash_at=0.4), cluster=pg_cluster)
    assert report.crash.startswith("Central SIGKILL"), report.crash
    assert report.retries > 0  # the kiosks did see Central go away
    assert (report.held, report.distinct, report.missing) == (720, 720, 0)
    assert (report.chain_bad, report.gaps, report.events, report.errors) == (0, 0, 0, [])
    assert report.heads_ok and report.ok
