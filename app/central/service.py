"""Central's rules for kiosks and employees, as plain functions over a Session. The HTTP
routes and the CLI only call these (and render what they return)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.central import security
from app.central.errors import BadInput, Conflict, EnrollmentRefused, NotAuthorized, NotFound
from app.central.ingest import gaps
from app.central.models import Employee, EmployeeKiosk, EnrollmentCode, Kiosk, KioskEvent, Punch
from app.central.schemas import RosterEmployee
from app.store.cpf import normalize_cpf
from app.store.errors import LedgerError


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
    token: str
    pepper: bytes


def enroll(session: Session, code: str, name: str, ledger_kiosk_id: str) -> Enrolled:
    """Spend a code (once) and create the kiosk with its own credential."""
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
        name=(name.strip() or row.label or f"Quiosque {ledger_kiosk_id}")[:120],
        ledger_kiosk_id=ledger_kiosk_id,
        token_hash=security.digest(token),
        head_nsr=0,
        head_hash="0" * 64,
    )
    session.add(kiosk)
    session.flush()
    row.used_at, row.kiosk_id = utcnow(), kiosk.id
    return Enrolled(kiosk.id, token, security.roster_pepper(session))


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


def parse_kiosk_time(value: str | None) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return stamp if stamp is not None and stamp.tzinfo is not None else None


VERSION_MAX = 32  # the column's width
QUEUE_MAX = 100_000_000  # far above any kiosk's backlog; anything above is not a real count


@dataclass(frozen=True)
class KioskStatus:
    """What a kiosk reports about itself in headers; None where missing or not valid."""

    version: str | None = None
    queue: int | None = None

    def values(self, now: object) -> dict[str, object]:
        """The Kiosk columns to update (only what was validly reported); ``now`` stamps the
        queue (a datetime, or SQL ``now()`` in a Core UPDATE)."""
        out: dict[str, object] = {}
        if self.version is not None:
            out["app_version"] = self.version
        if self.queue is not None:
            out["queue_pending"], out["status_reported_at"] = self.queue, now
        return out


def parse_kiosk_status(version: str | None, queue: str | None) -> KioskStatus:
    """``X-Kiosk-Version`` / ``X-Kiosk-Queue``, strictly: a version of 1-32 printable ASCII
    characters, a queue of plain decimal digits below QUEUE_MAX. Anything else is ignored
    (never an error: these headers must not cost a kiosk its upload)."""
    v = (version or "").strip()
    ok_version = 0 < len(v) <= VERSION_MAX and all(" " <= c <= "~" for c in v)
    q = (queue or "").strip()
    count = int(q) if 0 < len(q) <= 9 and all("0" <= c <= "9" for c in q) else None
    return KioskStatus(
        version=v if ok_version else None,
        queue=count if count is not None and count < QUEUE_MAX else None,
    )


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
        out.append(
            {
                "id": k.id,
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
                "events": [f"{e.kind}: {e.detail[:200]}" for e in events[:5]],
                "event_count": len(events),
            }
        )
    return out


# ---- employees and roster --------------------------------------------------------------------


def add_employee(
    session: Session,
    name: str,
    cpf: str,
    pin: str,
    badge: str | None = None,
    kiosks: list[int] | None = None,
) -> Employee:
    """An employee for every kiosk (``kiosks`` None) or only the listed ones."""
    name = " ".join(str(name).split())
    if not 2 <= len(name) <= 150:
        raise BadInput("o nome deve ter de 2 a 150 caracteres")
    try:
        cpf = normalize_cpf(cpf)
    except LedgerError as exc:
        raise BadInput(f"CPF inválido: {cpf!r}") from exc
    pin = str(pin or "").strip()
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise BadInput("o PIN deve ter de 4 a 8 dígitos")
    badge = str(badge).strip() if badge else None
    if badge is not None and not (1 <= len(badge) <= 64 and badge.isprintable()):
        raise BadInput("o crachá deve ter de 1 a 64 caracteres imprimíveis")
    if session.scalars(select(Employee).where(Employee.cpf == cpf)).first():
        raise Conflict(f"o CPF {cpf} já está cadastrado")
    hasher = security.hasher(session)
    pin_h = hasher.hash("pin", pin)
    _refuse_taken(session, "pin", pin_h.index)
    badge_h = hasher.hash("badge", badge) if badge else None
    if badge_h:
        _refuse_taken(session, "badge", badge_h.index)
    emp = Employee(
        name=name,
        cpf=cpf,
        pin_index=pin_h.index,
        pin_hash=pin_h.hash,
        badge_index=badge_h.index if badge_h else None,
        badge_hash=badge_h.hash if badge_h else None,
        active=True,
        all_kiosks=kiosks is None,
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


def roster(session: Session, kiosk_id: int) -> tuple[str, list[RosterEmployee]]:
    """The active employees this kiosk may identify, and a version (changes with any of it)."""
    assigned = select(EmployeeKiosk.employee_id).where(EmployeeKiosk.kiosk_id == kiosk_id)
    rows = session.scalars(
        select(Employee)
        .where(Employee.active.is_(True), Employee.all_kiosks | Employee.id.in_(assigned))
        .order_by(Employee.cpf)
    ).all()
    people = [
        RosterEmployee(
            name=e.name,
            cpf=e.cpf,
            pin_index=e.pin_index,
            pin_hash=e.pin_hash,
            badge_index=e.badge_index,
            badge_hash=e.badge_hash,
        )
        for e in rows
    ]
    canonical = json.dumps([p.model_dump() for p in people], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32], people


def _refuse_taken(session: Session, kind: str, index: str) -> None:
    column = Employee.pin_index if kind == "pin" else Employee.badge_index
    if session.scalars(select(Employee.id).where(column == index, Employee.active)).first():
        raise Conflict(f"este {kind.upper()} já é usado por outro funcionário")
