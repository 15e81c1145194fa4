"""With audio retention on, audio past its ``keep_until`` used to stay until someone ran
`ledger purge-audio` by hand. Replayed on the real kiosk window and the real ledger: the kiosk
purges on start and on the first tick of a new day; the punch itself stays."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.store import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings
from tests.kiosk.conftest import make_kiosk  # noqa: F401 (the real kiosk window fixture)


def test_kiosk_purges_expired_audio_on_start_and_daily(make_kiosk, pv_home):  # noqa: F811
    real_now = datetime.now().astimezone()
    ledger = Ledger.open(
        pv_home / "ledger.sqlite3",
        LedgerSettings(kiosk_id="LOJA-01", audio_retention_days=7),
        clock=lambda: real_now,
    )
    emp = ledger.add_employee("Maria da Silva", "52998224725", "5821")
    punch = ledger.record_punch(
        PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", audio=b"RIFF voice", punched_at=real_now)
    )
    assert ledger.audio_for(punch.uuid) == b"RIFF voice"  # kept for 7 days

    def kiosk_at(when: datetime):
        win, clock, _ = make_kiosk(ledger=ledger)
        clock.now = when.replace(tzinfo=None)
        win.start()  # the start-up purge runs with the kiosk's clock
        return win, clock

    win, clock = kiosk_at(real_now + timedelta(days=6))
    assert ledger.audio_for(punch.uuid) == b"RIFF voice"  # still inside the retention
    clock.now += timedelta(days=2)  # the next day's first tick: past keep_until
    win.window.tick()
    assert ledger.audio_for(punch.uuid) is None
    assert ledger.get_punch(punch.uuid) is not None and ledger.verify_chain().ok
