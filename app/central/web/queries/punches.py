"""Punches as HR reads them (the filtered list, the review queue) and the records HR adds
beside them: review decisions, manual inclusions, justified absences. A punch is never edited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.central.auth import CurrentUser
from app.central.hr_models import Absence, ManualPunch, PunchDecision
from app.central.models import CentralVerdict, Employee, Kiosk, Punch, PunchAudio
from app.central.web.queries.scope import scoped


@dataclass(frozen=True)
class PunchFilter:
    """The punch list's filters, already parsed (None: no filter on that field)."""

    employee_id: int | None = None
    kiosk_id: int | None = None
    flagged_only: bool = False
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    page: int = 1  # from 1


@dataclass(frozen=True)
class PunchPage:
    """One page of punches, newest first, and the manual inclusions that fall among them."""

    punches: list[tuple[Punch, Employee]]
    manual: list[tuple[ManualPunch, Employee]]
    more: bool  # there is a next page


def punch_page(s: Session, user: CurrentUser, f: PunchFilter, per_page: int) -> PunchPage:
    q = scoped(select(Punch, Employee).join(Employee, Employee.id == Punch.employee_id), user)
    mq = scoped(
        select(ManualPunch, Employee).join(Employee, Employee.id == ManualPunch.employee_id), user
    )
    if f.employee_id is not None:
        q = q.where(Punch.employee_id == f.employee_id)
        mq = mq.where(ManualPunch.employee_id == f.employee_id)
    if f.kiosk_id is not None:
        q = q.where(Punch.kiosk_id == f.kiosk_id)
    if f.flagged_only:
        q = q.where(Punch.flagged)
    if f.start:
        q, mq = q.where(Punch.punched_at_ts >= f.start), mq.where(ManualPunch.punched_at >= f.start)
    if f.end:
        q, mq = q.where(Punch.punched_at_ts < f.end), mq.where(ManualPunch.punched_at < f.end)
    rows = s.execute(
        q.order_by(Punch.punched_at_ts.desc(), Punch.id.desc())
        .limit(per_page + 1)
        .offset((f.page - 1) * per_page)
    ).all()
    more = len(rows) > per_page
    punches = [(p, e) for p, e in rows[:per_page]]
    manual: list[tuple[ManualPunch, Employee]] = []
    if f.kiosk_id is None and not f.flagged_only:  # inclusions have no kiosk and no flag
        # inclusions between this page's oldest and newest punch (unbounded at the ends)
        if punches and more:
            mq = mq.where(ManualPunch.punched_at >= punches[-1][0].punched_at_ts)
        if punches and f.page > 1:
            mq = mq.where(ManualPunch.punched_at <= punches[0][0].punched_at_ts)
        found = s.execute(mq.order_by(ManualPunch.punched_at.desc()).limit(per_page)).all()
        manual = [(m, e) for m, e in found]
    return PunchPage(punches, manual, more)


def _pending_review(user: CurrentUser) -> Select:
    """Flagged punches, and punches whose chain failed on arrival (held before quarantine
    existed), that have no decision yet."""
    decided = select(PunchDecision.punch_id)
    q = (
        select(Punch, Employee)
        .join(Employee, Employee.id == Punch.employee_id)
        .where(Punch.flagged | Punch.chain_ok.is_(False), Punch.id.not_in(decided))
    )
    return scoped(q, user)


def pending_review(s: Session, user: CurrentUser, limit: int = 200) -> list[tuple[Punch, Employee]]:
    """The review queue, oldest punch first."""
    rows = s.execute(_pending_review(user).order_by(Punch.punched_at_ts).limit(limit)).all()
    return [(p, e) for p, e in rows]


def pending_review_count(s: Session, user: CurrentUser) -> int:
    q = _pending_review(user).with_only_columns(func.count(Punch.id))
    return int(s.scalar(q) or 0)


def next_pending_review(s: Session, user: CurrentUser, after: int) -> Punch | None:
    """The oldest punch still to review other than punch ``after`` (the one just decided)."""
    q = _pending_review(user).where(Punch.id != after).order_by(Punch.punched_at_ts)
    row = s.execute(q).first()
    return row[0] if row else None


@dataclass(frozen=True)
class ReviewDetail:
    """What the review page shows beside the punch itself."""

    employee: Employee | None
    kiosk: Kiosk | None
    history: Sequence[PunchDecision]  # oldest first
    verdicts: Sequence[CentralVerdict]
    has_audio: bool


def review_detail(s: Session, p: Punch) -> ReviewDetail:
    decisions = select(PunchDecision).where(PunchDecision.punch_id == p.id)
    audio = select(PunchAudio.punch_id).where(PunchAudio.punch_id == p.id)
    return ReviewDetail(
        employee=s.get(Employee, p.employee_id),
        kiosk=s.get(Kiosk, p.kiosk_id),
        history=s.scalars(decisions.order_by(PunchDecision.id)).all(),
        verdicts=s.scalars(select(CentralVerdict).where(CentralVerdict.punch_id == p.id)).all(),
        has_audio=s.scalar(audio) is not None,
    )


def add_decision(
    s: Session, punch_id: int, approved: bool, justification: str, user: CurrentUser
) -> PunchDecision:
    d = PunchDecision(punch_id=punch_id, approved=approved, justification=justification,
                      user_id=user.id, author=user.name)  # fmt: skip
    s.add(d)
    return d


def stored_audio(s: Session, punch_id: int) -> PunchAudio | None:
    return s.get(PunchAudio, punch_id)


def recent_manual_punches(
    s: Session, user: CurrentUser, limit: int = 100
) -> list[tuple[ManualPunch, Employee]]:
    """Manual inclusions the user may see, the latest added first."""
    q = scoped(
        select(ManualPunch, Employee).join(Employee, Employee.id == ManualPunch.employee_id), user
    )
    return [(m, e) for m, e in s.execute(q.order_by(ManualPunch.id.desc()).limit(limit))]


def recent_absences(
    s: Session, user: CurrentUser, limit: int = 50
) -> list[tuple[Absence, Employee]]:
    """Justified absences the user may see, the latest added first."""
    q = scoped(select(Absence, Employee).join(Employee, Employee.id == Absence.employee_id), user)
    return [(a, e) for a, e in s.execute(q.order_by(Absence.id.desc()).limit(limit))]


def add_manual_punch(
    s: Session, employee_id: int, at: datetime, type_: str, reason: str, user: CurrentUser
) -> ManualPunch:
    """A forgotten punch HR includes (flushed: the audit entry names its id)."""
    row = ManualPunch(employee_id=employee_id, punched_at=at, type=type_, reason=reason,
                      user_id=user.id, author=user.name)  # fmt: skip
    s.add(row)
    s.flush()
    return row


def absence_on(s: Session, employee_id: int, day: date) -> bool:
    """Whether the employee already has a justified absence on ``day``."""
    q = select(Absence.id).where(Absence.employee_id == employee_id, Absence.day == day)
    return s.scalar(q) is not None


def add_absence(s: Session, employee_id: int, day: date, reason: str, author: str) -> None:
    s.add(Absence(employee_id=employee_id, day=day, reason=reason, author=author))
