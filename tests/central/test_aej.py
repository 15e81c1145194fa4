"""AEJ writer and checker: exact lines for a small month, and the checker catching broken files."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.central import aej
from app.central.aej_check import check
from app.central.timesheet import INCLUDED, REJECTED, Mark, Schedule, espelho

TZ = ZoneInfo("America/Sao_Paulo")
EMPLOYER = aej.Employer(id="12.345.678/0001-95", name="Padaria São João Ltda")
PTRP = aej.Ptrp(developer_id="12345678000195", developer_name="PontoVoz", email="dev@x.com.br")


def mk(at: str, type_: str, status: str = "original", note: str = "") -> Mark:
    kiosk = "" if status == INCLUDED else "K1"
    return Mark(datetime.fromisoformat(at), type_, status, kiosk=kiosk, note=note)


def month() -> aej.Vinculo:
    marks = [
        mk("2026-11-02 08:00", "ENTRADA"),
        mk("2026-11-02 08:01", "ENTRADA", REJECTED, "Duplicada"),
        mk("2026-11-02 12:00", "INTERVALO"),
        mk("2026-11-02 13:00", "RETORNO"),
        mk("2026-11-02 17:00", "SAIDA", INCLUDED, "Esqueceu de marcar a saída"),
    ]
    e = espelho(2026, 11, marks, Schedule(), until=date(2026, 11, 3))
    return aej.Vinculo(cpf="529.982.247-25", name="Ana Souza | Lima", espelho=e)


def build() -> str:
    return aej.build(
        EMPLOYER,
        date(2026, 11, 1),
        date(2026, 11, 3),
        [month()],
        {"K1": "12345678901234567"},
        TZ,
        datetime(2026, 11, 4, 9, 30, tzinfo=TZ),
        PTRP,
    )


def test_exact_lines():
    text = build()
    assert text.split("\r\n") == [
        "01|1|12345678000195|||Padaria São João Ltda|2026-11-01|2026-11-03"
        "|2026-11-04T09:30:00-0300|001",
        "02|1|3|12345678901234567",
        "03|1|52998224725|Ana Souza / Lima",
        "04|PADRAO|480|0800|1200|1300|1700",
        "05|1|2026-11-02T08:00:00-0300|1|E|001|O|PADRAO|",
        "05|1|2026-11-02T08:01:00-0300|1|D|001|O||Duplicada",
        "05|1|2026-11-02T12:00:00-0300|1|S|001|O||",
        "05|1|2026-11-02T13:00:00-0300|1|E|002|O||",
        "05|1|2026-11-02T17:00:00-0300||S|002|I||Esqueceu de marcar a saída",
        "07|1|2|2026-11-03||",
        "08|PontoVoz Central|0.1.0|1|12345678000195|PontoVoz|dev@x.com.br",
        "99|1|1|1|1|5|0|1|1",
        "ASSINATURA_DIGITAL_EM_ARQUIVO_P7S" + " " * 67,
        "",
    ]
    assert check(text.encode("iso-8859-1")) == []
    assert aej.file_name(EMPLOYER.id, date(2026, 11, 1), date(2026, 11, 30)) == (
        "AEJ_12345678000195_20261101_20261130.txt"
    )


BREAKS = [
    ("lf line ends", lambda t: t.replace("\r\n", "\n"), "CR LF"),
    ("wrong version", lambda t: t.replace("|001\r\n", "|002\r\n", 1), "versão"),
    ("trailer count", lambda t: t.replace("99|1|1|1|1|5|", "99|1|1|1|1|4|"), "não conferem"),
    ("no signature", lambda t: t.rsplit("ASSINATURA", 1)[0], "ASSINATURA"),
    (
        "included without reason",
        lambda t: t.replace("|I||Esqueceu de marcar a saída", "|I||"),
        "exige motivo",
    ),
    (
        "unknown employee",
        lambda t: t.replace("05|1|2026-11-02T12", "05|7|2026-11-02T12"),
        "vínculo inexistente",
    ),
    ("bad date-time", lambda t: t.replace("T13:00:00-0300", "T25:00:00-0300"), "data e hora"),
    ("original without REP", lambda t: t.replace("-0300|1|E|001|O", "-0300||E|001|O"), "sem REP"),
    ("unpadded sequence", lambda t: t.replace("|1|E|001|O", "|1|E|1|O", 1), "três dígitos"),
    ("developer e-mail empty", lambda t: t.replace("|dev@x.com.br", "|"), "e-mail"),
    ("developer name empty", lambda t: t.replace("|PontoVoz|dev@", "||dev@"), "nome"),
    (
        "first entry without schedule",
        lambda t: t.replace("|O|PADRAO|", "|O||"),
        "horário contratual",
    ),
    (
        "out of order",
        lambda t: t.replace("02|1|3|12345678901234567\r\n", "").replace(
            "03|1|", "02|1|3|12345678901234567\r\n03|1|"
        ),
        None,
    ),
    ("blank line", lambda t: t.replace("\r\n04|", "\r\n\r\n04|"), "em branco"),
    ("bad cpf", lambda t: t.replace("52998224725", "5299822472"), "CPF"),
]


@pytest.mark.parametrize("name,breaker,expect", BREAKS, ids=[b[0] for b in BREAKS])
def test_checker_catches(name, breaker, expect):
    broken = breaker(build())
    problems = check(broken.encode("iso-8859-1"))
    if name == "out of order":  # same records, same order: a control that must stay valid
        assert problems == []
        return
    assert problems, name
    assert any(expect in p for p in problems), problems


def test_checker_on_garbage_does_not_crash():
    for data in (b"", b"\xff\xfe\x00", b"01|x\r\n", b"99\r\n" * 3, b"|||\r\n"):
        assert check(data)


def test_a_manaus_punch_keeps_its_offset_and_day():
    """A mark carries the offset its kiosk wrote: 23:30 in Manaus is -0400 and the same day,
    not 00:30 of the next day in São Paulo's offset."""
    manaus = ZoneInfo("America/Manaus")
    marks = [
        Mark(datetime(2026, 11, 2, 14, 0, tzinfo=manaus), "ENTRADA", kiosk="K1"),
        Mark(datetime(2026, 11, 2, 23, 30, tzinfo=manaus), "SAIDA", kiosk="K1"),
    ]
    e = espelho(2026, 11, marks, Schedule(), until=date(2026, 11, 2))
    text = aej.build(EMPLOYER, date(2026, 11, 2), date(2026, 11, 2),
                     [aej.Vinculo("52998224725", "Ana", e)], {"K1": "12345678901234567"}, TZ,
                     datetime(2026, 11, 4, 9, 30, tzinfo=TZ), PTRP)  # fmt: skip
    assert "05|1|2026-11-02T14:00:00-0400|1|E|001|O|PADRAO|\r\n" in text
    assert "05|1|2026-11-02T23:30:00-0400|1|S|001|O||\r\n" in text
    assert check(text.encode("iso-8859-1")) == []
