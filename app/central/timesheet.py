"""Timesheet rules (espelho de ponto): punches and treatment records in, one month per employee out.

Plain functions over frozen dataclasses; no database, no web. Decisions (CLT and Portaria 671):

- **Pairing.** ENTRADA/RETORNO open a period, INTERVALO/SAIDA close it, in time order. An opener
  while a period is open leaves that period without its exit ("saída ausente"); a closer with no
  open period is an exit without entry ("entrada ausente"). Incomplete periods count 0 minutes.
- **Workday (jornada).** Periods separated by less than ``rest_gap`` (11 h, CLT art. 66) belong to
  one workday, dated by its first entry: an overnight shift 22:00-06:00 is the day it started.
- **Night hours (CLT art. 73).** Minutes inside the night window (22:00-05:00) are counted real;
  the reduced night hour (52'30") credits 60/52.5 = 8/7 of them, so ``night_bonus`` = night/7 is
  added to the credited time. Hours prolonged after 05:00 are not extended (Súmula 60 not applied).
- **Overtime and shortfall.** Per day against the schedule's minutes for that weekday; variations
  of up to ``tolerance`` minutes (10, CLT art. 58 §1) are ignored. Work on a holiday or on a day
  the schedule has 0 minutes is all overtime.
- **Treatment records.** Rejected punches are left out (AEJ "desconsiderada") but listed; manual
  inclusions (corrections) and approved flagged punches count and are marked; flagged punches
  still pending count (the punch time is legal) and are marked "pendente".
- **Absences.** A scheduled day with no punch is "falta" (its minutes a shortfall) unless it is a
  holiday or a justified absence (atestado, férias...), which owe nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

OPENERS = frozenset({"ENTRADA", "RETORNO"})
CLOSERS = frozenset({"INTERVALO", "SAIDA"})

# Mark status: how a punch stands after treatment.
ORIGINAL, PENDING, APPROVED, REJECTED, INCLUDED = (
    "original",
    "pendente",
    "aprovada",
    "rejeitada",
    "incluida",
)


@dataclass(frozen=True)
class Schedule:
    """A contractual work schedule (AEJ type 04). ``week`` = minutes owed Monday..Sunday."""

    code: str = "PADRAO"
    week: tuple[int, int, int, int, int, int, int] = (480, 480, 480, 480, 480, 240, 0)
    start: time = time(8, 0)  # expected first entry, for "late" on the today page
    break_minutes: int = 60
    night_start: time = time(22, 0)
    night_end: time = time(5, 0)
    tolerance: int = 10  # CLT art. 58 §1: daily variation not counted
    rest_gap: timedelta = timedelta(hours=11)  # CLT art. 66: a longer gap starts a new workday

    def owed(self, day: date) -> int:
        return self.week[day.weekday()]

    @property
    def weekly_minutes(self) -> int:
        return sum(self.week)

    def end(self, day: date) -> time:
        """Expected last exit on ``day`` (start + owed + break when there is one)."""
        owed = self.owed(day)
        brk = self.break_minutes if owed > 360 else 0
        moment = datetime.combine(day, self.start) + timedelta(minutes=owed + brk)
        return moment.time()


@dataclass(frozen=True)
class Mark:
    """One punch or treatment record as the timesheet sees it; ``at`` is local wall-clock time."""

    at: datetime
    type: str
    status: str = ORIGINAL
    ref: str = ""  # punch uuid or correction id, for links
    kiosk: str = ""  # the REP that collected it ("" for a manual inclusion)
    note: str = ""  # flag reason, decision justification or correction reason

    @property
    def counts(self) -> bool:
        return self.status != REJECTED

    @property
    def treated(self) -> bool:
        return self.status != ORIGINAL


@dataclass(frozen=True)
class Period:
    start: datetime | None
    end: datetime | None

    @property
    def complete(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def minutes(self) -> int:
        if self.start is None or self.end is None:
            return 0
        return max(0, int((self.end - self.start).total_seconds() // 60))


@dataclass(frozen=True)
class DayLine:
    day: date
    marks: tuple[Mark, ...] = ()  # every mark of the workday, rejected ones included
    periods: tuple[Period, ...] = ()
    owed: int = 0
    worked: int = 0  # real minutes in complete periods
    breaks: int = 0  # minutes between periods of the workday
    night: int = 0  # real minutes inside the night window
    night_bonus: int = 0  # extra credit of the reduced night hour
    overtime: int = 0
    shortfall: int = 0
    notes: tuple[str, ...] = ()  # pt-BR occurrences: "Falta", "Saída ausente", ...

    @property
    def credited(self) -> int:
        return self.worked + self.night_bonus

    @property
    def treated(self) -> bool:
        return any(m.treated for m in self.marks)


@dataclass(frozen=True)
class MonthTotals:
    owed: int = 0
    worked: int = 0
    credited: int = 0
    breaks: int = 0
    night: int = 0
    night_bonus: int = 0
    overtime: int = 0
    shortfall: int = 0
    absences: int = 0  # days of unjustified absence
    days_worked: int = 0
    missing_punches: int = 0
    pending: int = 0  # flagged punches not yet decided
    treated: int = 0  # marks that are treatment records (included, approved, rejected)


@dataclass(frozen=True)
class Espelho:
    year: int
    month: int
    schedule: Schedule
    days: tuple[DayLine, ...] = field(default_factory=tuple)
    totals: MonthTotals = field(default_factory=MonthTotals)


def hhmm(minutes: int) -> str:
    """Minutes as "H:MM" (e.g. 485 -> "8:05"), the way timesheets show durations."""
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def pair(marks: Sequence[Mark]) -> tuple[list[Period], list[str]]:
    """Pair counted marks (time order) into periods; returns the periods and pt-BR problems."""
    periods: list[Period] = []
    problems: list[str] = []
    open_at: datetime | None = None
    for m in sorted((m for m in marks if m.counts), key=lambda m: m.at):
        if m.type in OPENERS:
            if open_at is not None:
                periods.append(Period(open_at, None))
                problems.append("Saída ausente")
            open_at = m.at
        elif m.type in CLOSERS:
            if open_at is None:
                periods.append(Period(None, m.at))
                problems.append("Entrada ausente")
            else:
                periods.append(Period(open_at, m.at))
            open_at = None
    if open_at is not None:
        periods.append(Period(open_at, None))
        problems.append("Saída ausente")
    return periods, problems


def night_minutes(start: datetime, end: datetime, schedule: Schedule) -> int:
    """Real minutes of [start, end) inside the night window (which crosses midnight)."""
    total = 0
    day = start.date() - timedelta(days=1)
    while datetime.combine(day, time(0), start.tzinfo) < end:
        n_start = datetime.combine(day, schedule.night_start, start.tzinfo)
        n_end = datetime.combine(day + timedelta(days=1), schedule.night_end, start.tzinfo)
        lo, hi = max(start, n_start), min(end, n_end)
        if hi > lo:
            total += int((hi - lo).total_seconds() // 60)
        day += timedelta(days=1)
    return total


def _workdays(marks: Sequence[Mark], schedule: Schedule) -> dict[date, list[Mark]]:
    """Group marks into workdays: a gap of ``rest_gap`` or more starts a new one."""
    groups: dict[date, list[Mark]] = {}
    current: list[Mark] = []
    last: datetime | None = None
    for m in sorted(marks, key=lambda m: m.at):
        if last is not None and m.at - last >= schedule.rest_gap and current:
            groups.setdefault(current[0].at.date(), []).extend(current)
            current = []
        current.append(m)
        last = m.at
    if current:
        groups.setdefault(current[0].at.date(), []).extend(current)
    return groups


def day_line(
    day: date,
    marks: Sequence[Mark],
    schedule: Schedule,
    holiday: str | None = None,
    absence: str | None = None,
) -> DayLine:
    """Apply the rules to one workday's marks (see the module docstring)."""
    owed = 0 if holiday or absence else schedule.owed(day)
    periods, notes = pair(marks)
    done = [p for p in periods if p.complete]
    worked = sum(p.minutes for p in done)
    breaks = sum(
        max(0, int((b.start - a.end).total_seconds() // 60))
        for a, b in pairwise(done)
        if a.end is not None and b.start is not None
    )
    night = sum(night_minutes(p.start, p.end, schedule) for p in done if p.start and p.end)
    bonus = night // 7
    notes = list(notes)
    if holiday:
        notes.insert(0, f"Feriado: {holiday}")
    if absence:
        notes.insert(0, f"Ausência justificada: {absence}")
    if not any(m.counts for m in marks) and owed > 0:
        notes.insert(0, "Falta")
    if worked > 360 and breaks < 60:
        notes.append("Intervalo menor que 1 h")
    if any(m.status == PENDING for m in marks):
        notes.append("Marcação em análise")
    credited = worked + bonus
    diff = credited - owed
    overtime = diff if diff > schedule.tolerance else 0
    shortfall = -diff if -diff > schedule.tolerance else 0
    if owed == 0:
        overtime, shortfall = credited, 0
    return DayLine(
        day=day,
        marks=tuple(sorted(marks, key=lambda m: m.at)),
        periods=tuple(periods),
        owed=owed,
        worked=worked,
        breaks=breaks,
        night=night,
        night_bonus=bonus,
        overtime=overtime,
        shortfall=shortfall,
        notes=tuple(notes),
    )


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def espelho(
    year: int,
    month: int,
    marks: Iterable[Mark],
    schedule: Schedule | None = None,
    holidays: Mapping[date, str] | None = None,
    absences: Mapping[date, str] | None = None,
    until: date | None = None,
    since: date | None = None,
) -> Espelho:
    """The month's espelho de ponto for one employee.

    ``marks`` may include the days around the month (an overnight shift that started on the last
    day of the previous month belongs there and is left out here). Days after ``until`` (the
    current month seen today) and before ``since`` (admission) are listed blank: nothing owed.
    """
    schedule = schedule or Schedule()
    holidays = holidays or {}
    absences = absences or {}
    groups = _workdays(list(marks), schedule)
    lines = [
        day_line(d, groups.get(d, []), schedule, holidays.get(d), absences.get(d))
        if (until is None or d <= until) and (since is None or d >= since)
        else DayLine(day=d)
        for d in month_days(year, month)
    ]
    return Espelho(year, month, schedule, tuple(lines), totals(lines))


def totals(lines: Sequence[DayLine]) -> MonthTotals:
    return MonthTotals(
        owed=sum(x.owed for x in lines),
        worked=sum(x.worked for x in lines),
        credited=sum(x.credited for x in lines),
        breaks=sum(x.breaks for x in lines),
        night=sum(x.night for x in lines),
        night_bonus=sum(x.night_bonus for x in lines),
        overtime=sum(x.overtime for x in lines),
        shortfall=sum(x.shortfall for x in lines),
        absences=sum(1 for x in lines if "Falta" in x.notes),
        days_worked=sum(1 for x in lines if x.worked > 0),
        missing_punches=sum(
            1 for x in lines for n in x.notes if n in ("Saída ausente", "Entrada ausente")
        ),
        pending=sum(1 for x in lines for m in x.marks if m.status == PENDING),
        treated=sum(1 for x in lines for m in x.marks if m.treated and m.status != PENDING),
    )
