"""One rule for time on the kiosk: the ledger stamps every record with its configured IANA
zone's offset, whatever zone the process or the caller's clock is in; the responsible CPF fills
types 2, 4 and 5 when no person was identified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.core.errors import ConfigError
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings

AT = datetime(2026, 12, 6, 0, 7, 30, tzinfo=UTC)  # 05/12 20:07 in Manaus, 21:07 in São Paulo


def _ledger(tmp_path, zone: str, responsible: str = "") -> Ledger:
    settings = LedgerSettings(employer_name="ACME", employer_id="11222333000181",
                              time_zone=zone, responsible_cpf=responsible)  # fmt: skip
    return Ledger.open(tmp_path / f"{zone.replace('/', '_')}.sqlite3", settings, clock=lambda: AT)


@pytest.mark.parametrize(
    "zone,stamp",
    [("America/Manaus", "2026-12-05T20:07:30-04:00"),
     ("America/Sao_Paulo", "2026-12-05T21:07:30-03:00"),
     ("America/Rio_Branco", "2026-12-05T19:07:30-05:00")],
)  # fmt: skip
def test_every_stamp_carries_the_kiosk_zone(tmp_path, zone, stamp):
    with _ledger(tmp_path, zone) as led:
        ana = led.add_employee("Ana Souza", "52998224725", "1234")
        # a draft stamped in another zone (the process's) is the same instant, kiosk's offset
        other = AT.astimezone(timezone(timedelta(hours=2)))
        p = led.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 20 07", punched_at=other))
        event = led.record_sensitive_event("07")
        assert p.punched_at == stamp and p.recorded_at == stamp and event.recorded_at == stamp
        assert led.last_punch_today(ana.id, AT) == p  # "today" is the kiosk's day


def test_responsible_cpf_fills_types_2_4_5_and_a_named_author_wins(tmp_path):
    with _ledger(tmp_path, "America/Manaus", "111.444.777-35") as led:
        emp = led.record_employer()
        ana = led.add_employee("Ana Souza", "52998224725", "1234")
        clock = led.record_clock_adjustment(AT, AT + timedelta(minutes=1))
        named = led.update_employee(ana.cpf, name="Ana S. Lima", author_cpf="52998224725")
        rows = led.rep_records()
    authors = [r.fields.get("author_cpf") for r in rows if hasattr(r, "fields")]
    assert emp is not None and clock.fields["author_cpf"] == "11144477735"
    assert authors == ["11144477735", "11144477735", "11144477735", "52998224725"]
    assert named.name == "Ana S. Lima"


def test_bad_zone_or_responsible_cpf_is_refused_in_portuguese():
    with pytest.raises(ConfigError, match="fuso horário desconhecido"):
        LedgerSettings(time_zone="America/Atlantida")
    with pytest.raises(ConfigError, match="CPF"):
        LedgerSettings(responsible_cpf="11144477736")
    assert LedgerSettings().time_zone == "America/Sao_Paulo"
