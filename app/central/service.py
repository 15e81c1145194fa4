"""Central's rules for kiosks and employees, as plain functions over a Session: enrollment and
kiosk credentials, employees, HR's word on a quarantined record. The HTTP routes and the CLI only
call these (and render what they return); the roster exchanged with kiosks is `app.central.roster`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.central import security
from app.central.errors import BadInput, Conflict, EnrollmentRefused, NotAuthorized, NotFound
from app.central.kiosk_head import gaps
from app.central.kiosk_status import KioskStatus, parse_kiosk_time
from app.central.models import (
    Employee,
    EmployeeKiosk,
    EnrollmentCode,
    Kiosk,
    KioskEvent,
    Punch,
    QuarantinedRecord,
)
from app.rep.cpf import normalize_cpf
from app.rep.errors import CpfError
from app.rep.pin_rules import pin_problem


def utcnow() -> datetime:
    return datetime.now(UTC)


# ---- enrollment ------------------------------------------------------------------------------


def create_code(session: Session, label: str = "", hours: float = 24.0) -> str:
    """A one-time enrollment code, valid for ``hours``; only its hash is stored."""
    if not 0 < hours <= 24 * 30:
        raise BadInput("a validade do código deve ficar entre alguns minutos e 30 dias")
    code = security.new_code()
    session.add(
        EnrollmentCode(
            code_hash=security.digest(code),
            label=label.strip()[:120],
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return code


@dataclass(frozen=True)
class Enrolled:
    kiosk: int
    rep_number: int  # Central's own number for this kiosk: AFD names, pages
    token: str
    pepper: bytes


def enroll(session: Session, code: str, name: str, ledger_kiosk_id: str) -> Enrolled:
    """Spend a code (once) and create the kiosk with its own credential and REP number (from
    a sequence: two kiosks never share one, whatever ``kiosk_id`` their ledgers use)."""
    row = session.scalars(
        select(EnrollmentCode)
        .where(EnrollmentCode.code_hash == security.digest(security.normalize_code(code)))
        .with_for_update()
    ).first()
    if row is None:
        raise EnrollmentRefused("código de cadastro desconhecido: confira com o administrador")
    if row.used_at is not None:
        raise EnrollmentRefused("este código de cadastro já foi usado: peça um novo")
    if row.expires_at <= utcnow():
        raise EnrollmentRefused("este código de cadastro expirou: peça um novo")
    token = security.new_token()
    kiosk = Kiosk(
        name=(name.strip() or row.label)[:120],
        ledger_kiosk_id=ledger_kiosk_id,
        token_hash=security.digest(token),
        head_nsr=0,
        head_hash="0" * 64,
    )
    session.add(kiosk)
    session.flush()
    if not kiosk.name:
        kiosk.name = f"Quiosque {kiosk.rep_code}"
    row.used_at, row.kiosk_id = utcnow(), kiosk.id
    return Enrolled(kiosk.id, kiosk.rep_number, token, security.roster_pepper(session))


def token_hash(authorization: str | None) -> str:
    token = (authorization or "").removeprefix("Bearer ").strip()
    if not token:
        raise NotAuthorized("credencial do quiosque ausente: cadastre o quiosque na Central")
    return security.digest(token)


def check_kiosk(kiosk):
    """The kiosk row found for a token, or the pt-BR reason it cannot go on."""
    if kiosk is None:
        raise NotAuthorized("credencial do quiosque desconhecida: cadastre-o de novo")
    if kiosk.revoked_at is not None:
        raise NotAuthorized("este quiosque foi revogado na Central")
    return kiosk


def authenticate(session: Session, authorization: str | None) -> Kiosk:
    digest = token_hash(authorization)
    return check_kiosk(session.scalars(select(Kiosk).where(Kiosk.token_hash == digest)).first())


def seen(
    session: Session, kiosk: Kiosk, kiosk_time: str | None, status: KioskStatus | None = None
) -> None:
    """Record the exchange, the kiosk's clock offset (kiosk minus Central, seconds) and what
    it reported about itself (version, queue)."""
    now = utcnow()
    kiosk.last_seen_at = now
    theirs = parse_kiosk_time(kiosk_time)
    if theirs is not None:
        kiosk.clock_offset_s = round((theirs - now).total_seconds(), 3)
    for column, value in (status.values(now) if status else {}).items():
        setattr(kiosk, column, value)


def revoke(session: Session, kiosk_id: int) -> Kiosk:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise NotFound(f"quiosque {kiosk_id} não existe")
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        session.add(KioskEvent(kiosk_id=kiosk.id, kind="revoked", detail="credencial revogada"))
    return kiosk


def kiosk_report(session: Session) -> list[dict]:
    """Each kiosk with its anchor, what it claims, gaps, chain problems and recent events."""
    out = []
    for k in session.scalars(select(Kiosk).order_by(Kiosk.id)):
        conn = session.connection()
        counts = session.execute(
            select(func.count(), func.count().filter(Punch.chain_ok.is_(False))).where(
                Punch.kiosk_id == k.id
            )
        ).one()
        events = session.scalars(
            select(KioskEvent).where(KioskEvent.kiosk_id == k.id).order_by(KioskEvent.id.desc())
        ).all()
        quarantined = session.scalar(
            select(func.count()).where(*open_quarantine(), QuarantinedRecord.kiosk_id == k.id)
        )
        out.append(
            {
                "id": k.id,
                "rep_number": k.rep_number,
                "name": k.name,
                "ledger_kiosk_id": k.ledger_kiosk_id,
                "revoked": k.revoked_at is not None,
                "last_seen_at": k.last_seen_at.isoformat() if k.last_seen_at else None,
                "clock_offset_s": k.clock_offset_s,
                "app_version": k.app_version,
                "queue_pending": k.queue_pending,
                "punches": counts[0],
                "unverified": counts[1],
                "head_nsr": k.head_nsr,
                "head_hash": k.head_hash,
                "reported_nsr": k.reported_nsr,
                "gaps": gaps(conn, k.id, k.head_nsr),
                "quarantined": quarantined,
                "events": [f"{e.kind}: {e.detail[:200]}" for e in events[:5]],
                "event_count": len(events),
            }
        )
    return out


# ---- employees -----------------------------------------------------------------------------


def add_employee(
    session: Session,
    name: str,
    cpf: str,
    pin: str,
    badge: str | None = None,
    kiosks: list[int] | None = None,
    admission: date | None = None,
    role: str = "",
) -> Employee:
    """An employee for every kiosk (``kiosks`` None) or only the listed ones. Punches that
    arrived under this CPF before are linked to them (a trigger on ``employees``)."""
    name = " ".join(str(name).split())
    if not 2 <= len(name) <= 150:
        raise BadInput("o nome deve ter de 2 a 150 caracteres")
    try:
        cpf = normalize_cpf(cpf)
    except CpfError as exc:
        raise BadInput(f"CPF inválido: {cpf!r}") from exc
    pin = str(pin or "").strip()
    problem = pin_problem(pin)  # the kiosk's own PIN policy (length, weak PINs)
    if problem:
        raise BadInput(problem)
    badge = str(badge).strip() if badge else None
    if badge is not None and not (1 <= len(badge) <= 64 and badge.isprintable()):
        raise BadInput("o crachá deve ter de 1 a 64 caracteres imprimíveis")
    if session.scalars(select(Employee).where(Employee.cpf == cpf)).first():
        raise Conflict(f"o CPF {cpf} já está cadastrado")
    pin_h, pin_indexes = security.credential(session, "pin", pin)
    _refuse_taken(session, "pin", pin_indexes)
    badge_h = None
    if badge:
        badge_h, badge_indexes = security.credential(session, "badge", badge)
        _refuse_taken(session, "badge", badge_indexes)
    emp = Employee(
        name=name,
        cpf=cpf,
        pin_index=pin_h.index,
        pin_hash=pin_h.hash,
        badge_index=badge_h.index if badge_h else None,
        badge_hash=badge_h.hash if badge_h else None,
        active=True,
        all_kiosks=kiosks is None,
        admission_date=admission,
        role=clean_role(role),
    )
    session.add(emp)
    session.flush()
    for kid in kiosks or []:
        if session.get(Kiosk, kid) is None:
            raise NotFound(f"quiosque {kid} não existe")
        session.add(EmployeeKiosk(employee_id=emp.id, kiosk_id=kid))
    return emp


def set_active(session: Session, cpf: str, active: bool) -> Employee:
    emp = session.scalars(select(Employee).where(Employee.cpf == normalize_cpf(cpf))).first()
    if emp is None:
        raise NotFound(f"nenhum funcionário com CPF {cpf}")
    emp.active, emp.updated_at = active, utcnow()
    return emp


def assign(session: Session, cpf: str, kiosks: list[int] | None) -> Employee:
    """Limit an employee to some kiosks (None: all kiosks)."""
    emp = session.scalars(select(Employee).where(Employee.cpf == normalize_cpf(cpf))).first()
    if emp is None:
        raise NotFound(f"nenhum funcionário com CPF {cpf}")
    session.execute(delete(EmployeeKiosk).where(EmployeeKiosk.employee_id == emp.id))
    emp.all_kiosks, emp.updated_at = kiosks is None, utcnow()
    for kid in kiosks or []:
        session.add(EmployeeKiosk(employee_id=emp.id, kiosk_id=kid))
    return emp


def clean_role(role: str | None) -> str:
    role = " ".join(str(role or "").split())
    if len(role) > 80:
        raise BadInput("o cargo deve ter no máximo 80 caracteres")
    return role


# ---- quarantine ------------------------------------------------------------------------------


def open_quarantine() -> tuple:
    """Conditions of a quarantined record HR still has to see (waiting ones aside)."""
    q = QuarantinedRecord
    return (q.reason != "gap", q.resolved_at.is_(None), q.acknowledged_at.is_(None))


def acknowledge(session: Session, record_id: int, author: str, note: str) -> QuarantinedRecord:
    """HR/IT saw a quarantined record and wrote why it can be closed; it stays stored."""
    row = session.get(QuarantinedRecord, record_id)
    if row is None:
        raise NotFound("registro em quarentena não encontrado")
    note = " ".join(str(note or "").split())
    if len(note) < 10:
        raise BadInput("escreva o que foi verificado (pelo menos 10 caracteres)")
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by, row.ack_note = utcnow(), author, note[:1000]
    return row


def _refuse_taken(session: Session, kind: str, indexes: list[str]) -> None:
    column = Employee.pin_index if kind == "pin" else Employee.badge_index
    if session.scalars(select(Employee.id).where(column.in_(indexes), Employee.active)).first():
        raise Conflict(f"este {kind.upper()} já é usado por outro funcionário")
