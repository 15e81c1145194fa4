"""The timesheet rules as a table of worked examples (each row computed by hand, see comments)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.central.timesheet import (
    APPROVED,
    INCLUDED,
    ORIGINAL,
    PENDING,
    REJECTED,
    Mark,
    Schedule,
    day_line,
    espelho,
    hhmm,
    night_minutes,
    pair,
)

S = Schedule()  # 8 h Mon-Fri, 4 h Saturday (44 h/week), 1 h break, night 22:00-05:00


def m(at: str, type_: str, status: str = ORIGINAL) -> Mark:
    return Mark(at=datetime.fromisoformat(at), type=type_, status=status)


def day(d: str, *spec: tuple[str, str] | tuple[str, str, str]) -> list[Mark]:
    """Marks on day ``d`` from ("08:00", "ENTRADA"[, status]); "+1 02:00" is the next day."""
    out = []
    base = date.fromisoformat(d)
    for row in spec:
        clock, type_ = row[0], row[1]
        status = row[2] if len(row) > 2 else ORIGINAL
        when = base
        if clock.startswith("+1 "):
            when = date.fromordinal(base.toordinal() + 1)
            clock = clock[3:]
        out.append(m(f"{when.isoformat()} {clock}", type_, status))
    return out


FULL = (("08:00", "ENTRADA"), ("12:00", "INTERVALO"), ("13:00", "RETORNO"), ("17:00", "SAIDA"))

# (name, day, marks, holiday, absence, worked, breaks, night, bonus, overtime, shortfall, notes)
EXAMPLES = [
    ("normal Monday", "2026-11-02", FULL, None, None, 480, 60, 0, 0, 0, 0, ()),
    (
        "90 min overtime",
        "2026-11-02",
        (("08:00", "ENTRADA"), ("12:00", "INTERVALO"), ("13:00", "RETORNO"), ("18:30", "SAIDA")),
        None,
        None,
        570,
        60,
        0,
        0,
        90,
        0,
        (),
    ),
    (
        "5 min late is within the 10 min tolerance",
        "2026-11-02",
        (("08:05", "ENTRADA"), ("12:00", "INTERVALO"), ("13:00", "RETORNO"), ("17:00", "SAIDA")),
        None,
        None,
        475,
        60,
        0,
        0,
        0,
        0,
        (),
    ),
    (
        "30 min late is a shortfall",
        "2026-11-02",
        (("08:30", "ENTRADA"), ("12:00", "INTERVALO"), ("13:00", "RETORNO"), ("17:00", "SAIDA")),
        None,
        None,
        450,
        60,
        0,
        0,
        0,
        30,
        (),
    ),
    (
        "missing exit: the open period counts nothing",
        "2026-11-02",
        (("08:00", "ENTRADA"), ("12:00", "INTERVALO"), ("13:00", "RETORNO")),
        None,
        None,
        240,
        0,
        0,
        0,
        0,
        240,
        ("Saída ausente",),
    ),
    (
        "exit without entry",
        "2026-11-02",
        (("17:00", "SAIDA"),),
        None,
        None,
        0,
        0,
        0,
        0,
        0,
        480,
        ("Entrada ausente",),
    ),
    (
        # 22:00-02:00 (4 h night) + 03:00-06:00 (2 h night until 05:00): 420 real, 360 night,
        # reduced night hour credits 360/7 = 51 more: 471, 9 short = within tolerance.
        "overnight shift belongs to the day it started",
        "2026-11-03",
        (
            ("22:00", "ENTRADA"),
            ("+1 02:00", "INTERVALO"),
            ("+1 03:00", "RETORNO"),
            ("+1 06:00", "SAIDA"),
        ),
        None,
        None,
        420,
        60,
        360,
        51,
        0,
        0,
        (),
    ),
    (
        "forgotten exit added as a correction counts, marked",
        "2026-11-02",
        (
            ("08:00", "ENTRADA"),
            ("12:00", "INTERVALO"),
            ("13:00", "RETORNO"),
            ("17:00", "SAIDA", INCLUDED),
        ),
        None,
        None,
        480,
        60,
        0,
        0,
        0,
        0,
        (),
    ),
    (
        "flagged then approved counts",
        "2026-11-02",
        (
            ("08:00", "ENTRADA", APPROVED),
            ("12:00", "INTERVALO"),
            ("13:00", "RETORNO"),
            ("17:00", "SAIDA"),
        ),
        None,
        None,
        480,
        60,
        0,
        0,
        0,
        0,
        (),
    ),
    (
        "flagged and still pending counts, noted",
        "2026-11-02",
        (
            ("08:00", "ENTRADA", PENDING),
            ("12:00", "INTERVALO"),
            ("13:00", "RETORNO"),
            ("17:00", "SAIDA"),
        ),
        None,
        None,
        480,
        60,
        0,
        0,
        0,
        0,
        ("Marcação em análise",),
    ),
    (
        "a rejected duplicate entry is left out",
        "2026-11-02",
        (
            ("08:00", "ENTRADA"),
            ("08:01", "ENTRADA", REJECTED),
            ("12:00", "INTERVALO"),
            ("13:00", "RETORNO"),
            ("17:00", "SAIDA"),
        ),
        None,
        None,
        480,
        60,
        0,
        0,
        0,
        0,
        (),
    ),
    (
        "holiday off",
        "2026-11-20",
        (),
        "Consciência Negra",
        None,
        0,
        0,
        0,
        0,
        0,
        0,
        ("Feriado: Consciência Negra",),
    ),
    (
        "work on a holiday is all overtime",
        "2026-11-20",
        (("08:00", "ENTRADA"), ("12:00", "SAIDA")),
        "Consciência Negra",
        None,
        240,
        0,
        0,
        0,
        240,
        0,
        ("Feriado: Consciência Negra",),
    ),
    (
        "justified absence owes nothing",
        "2026-11-05",
        (),
        None,
        "Atestado médico",
        0,
        0,
        0,
        0,
        0,
        0,
        ("Ausência justificada: Atestado médico",),
    ),
    ("unjustified absence", "2026-11-05", (), None, None, 0, 0, 0, 0, 0, 480, ("Falta",)),
    (
        "every punch rejected is an absence",
        "2026-11-05",
        (("08:00", "ENTRADA", REJECTED),),
        None,
        None,
        0,
        0,
        0,
        0,
        0,
        480,
        ("Falta",),
    ),
    (
        "Saturday owes 4 h",
        "2026-11-07",
        (("08:00", "ENTRADA"), ("12:00", "SAIDA")),
        None,
        None,
        240,
        0,
        0,
        0,
        0,
        0,
        (),
    ),
    ("Sunday off owes nothing", "2026-11-08", (), None, None, 0, 0, 0, 0, 0, 0, ()),
    (
        "work on Sunday is all overtime",
        "2026-11-08",
        (("09:00", "ENTRADA"), ("11:00", "SAIDA")),
        None,
        None,
        120,
        0,
        0,
        0,
        120,
        0,
        (),
    ),
    (
        "30 min break is too short after 6 h",
        "2026-11-02",
        (("08:00", "ENTRADA"), ("12:00", "INTERVALO"), ("12:30", "RETORNO"), ("16:30", "SAIDA")),
        None,
        None,
        480,
        30,
        0,
        0,
        0,
        0,
        ("Intervalo menor que 1 h",),
    ),
]


@pytest.mark.parametrize(
    "name,d,spec,holiday,absence,worked,breaks,night,bonus,overtime,shortfall,notes",
    EXAMPLES,
    ids=[e[0] for e in EXAMPLES],
)
def test_worked_examples(
    name, d, spec, holiday, absence, worked, breaks, night, bonus, overtime, shortfall, notes
):
    line = day_line(date.fromisoformat(d), day(d, *spec), S, holiday, absence)
    got = (line.worked, line.breaks, line.night, line.night_bonus, line.overtime, line.shortfall)
    assert got == (worked, breaks, night, bonus, overtime, shortfall)
    assert line.notes == notes
    assert line.treated == any(len(r) > 2 for r in spec)


def test_month_groups_overnight_and_counts_absences():
    marks = [
        # Oct 31 (Saturday) night shift spilling into Nov 1: belongs to October, not here.
        *day("2026-10-31", ("22:00", "ENTRADA"), ("+1 04:00", "SAIDA")),
        *day("2026-11-02", *FULL),
        *day("2026-11-03", ("22:00", "ENTRADA"), ("+1 06:00", "SAIDA")),  # overnight
        *day("2026-11-09", ("08:00", "ENTRADA"), ("12:00", "INTERVALO"), ("13:00", "RETORNO")),
        *day("2026-11-10", *FULL[:3], ("17:00", "SAIDA", INCLUDED)),
        *day("2026-11-11", ("08:00", "ENTRADA", PENDING), *FULL[1:]),
    ]
    e = espelho(
        2026,
        11,
        marks,
        S,
        holidays={date(2026, 11, 20): "Consciência Negra"},
        absences={date(2026, 11, 12): "Atestado médico"},
        until=date(2026, 11, 13),
    )
    assert len(e.days) == 30
    by_day = {x.day.day: x for x in e.days}
    assert by_day[1].worked == 0 and by_day[1].notes == ()  # Sunday, the October shift is gone
    assert by_day[3].worked == 480 and by_day[3].night == 420  # 22:00-05:00
    assert by_day[4].notes == ("Falta",)  # Wednesday after the night shift: nobody came
    assert by_day[20].owed == 0 and by_day[20].notes == ()  # after `until`: blank
    # Up to Friday 13th: workdays 2,3,4,5,6,7(Sat),9,10,11,12(justified),13
    # Absent: 4, 5, 6, 7, 13 -> 5 days.
    t = e.totals
    assert t.absences == 5
    assert t.days_worked == 5
    assert t.missing_punches == 1
    assert t.pending == 1 and t.treated == 1
    assert t.worked == 480 + 480 + 240 + 480 + 480
    assert t.night_bonus == 60  # 420 / 7


def test_pairing_and_night_window():
    periods, problems = pair(
        day(
            "2026-11-02",
            ("08:00", "ENTRADA"),
            ("09:00", "ENTRADA"),
            ("10:00", "SAIDA"),
            ("11:00", "SAIDA"),
        )
    )
    assert [p.minutes for p in periods] == [0, 60, 0]
    assert problems == ["Saída ausente", "Entrada ausente"]
    # 04:00-23:00 touches the night window at both ends: 04:00-05:00 and 22:00-23:00.
    assert night_minutes(datetime(2026, 11, 2, 4), datetime(2026, 11, 2, 23), S) == 120
    assert night_minutes(datetime(2026, 11, 2, 8), datetime(2026, 11, 2, 17), S) == 0


def test_schedule_and_formatting():
    assert S.weekly_minutes == 44 * 60
    assert S.end(date(2026, 11, 2)).strftime("%H:%M") == "17:00"
    assert S.end(date(2026, 11, 7)).strftime("%H:%M") == "12:00"
    assert [hhmm(x) for x in (0, 5, 485, -30)] == ["0:00", "0:05", "8:05", "-0:30"]


def test_days_before_admission_owe_nothing():
    e = espelho(
        2026, 11, day("2026-11-05", *FULL), S, since=date(2026, 11, 4), until=date(2026, 11, 6)
    )
    by_day = {x.day.day: x for x in e.days}
    assert by_day[3].owed == 0 and by_day[3].notes == ()  # before admission
    assert by_day[4].notes == ("Falta",) and by_day[5].worked == 480
    assert e.totals.absences == 2  # the 4th and the 6th
