"""Central's tables (SQLAlchemy 2 declarative). The schema itself is created by the Alembic
migrations in ``app/central/migrations``; these classes must match them.

Punches keep the kiosk's fields exactly as the kiosk hashed them (ISO text times included), so
Central can recompute both hash chains; ``punched_at_ts`` is the same instant as a timestamp for
queries. Central never edits a punch: its own re-check goes to ``central_verdicts``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    FetchedValue,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

GENESIS = "0" * 64


class Base(DeclarativeBase):
    pass


class CentralKey(Base):
    """Server secrets (e.g. ``roster_pepper``: the PIN/badge index key shared with kiosks)."""

    __tablename__ = "central_keys"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Kiosk(Base):
    """An enrolled kiosk. ``head_*`` is the last punch whose chain Central verified without a
    gap (the anchor); ``reported_*`` is the head the kiosk claimed on its last exchange.
    ``app_version`` and ``queue_pending`` (records it still had to send) are what it reported
    in headers on its last exchange that carried them; ``status_reported_at`` is when the queue
    was reported. NULL: never reported (a kiosk older than these headers). ``rep_number`` is
    Central's own number for the kiosk (a sequence: never shared), what AFD names and pages
    show; ``ledger_kiosk_id`` is the id the kiosk's ledger hashes into its records."""

    __tablename__ = "kiosks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    ledger_kiosk_id: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clock_offset_s: Mapped[float | None] = mapped_column(Float)
    head_nsr: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    head_afd_hash: Mapped[str | None] = mapped_column(String(64))
    reported_nsr: Mapped[int | None] = mapped_column(BigInteger)
    reported_hash: Mapped[str | None] = mapped_column(String(64))
    app_version: Mapped[str | None] = mapped_column(String(32))
    queue_pending: Mapped[int | None] = mapped_column(Integer)
    status_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rep_number: Mapped[int] = mapped_column(Integer, FetchedValue(), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Sao_Paulo")  # IANA
    # the head the kiosk reported on its own after each punch (its anchor outside the box)
    anchor_nsr: Mapped[int | None] = mapped_column(BigInteger)
    anchor_hash: Mapped[str | None] = mapped_column(String(64))
    anchor_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))  # of its ledger key

    @property
    def rep_code(self) -> str:
        """The REP number as shown and put in file names: at least two digits ("03")."""
        return f"{self.rep_number:02d}"


class EnrollmentCode(Base):
    """A one-time code an admin hands to whoever sets up a kiosk (stored hashed)."""

    __tablename__ = "enrollment_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"))


class Employee(Base):
    """An employee as Central knows them. PIN/badge are kept only as kiosk-compatible
    verifiers (HMAC index with the roster pepper + scrypt), never in clear."""

    __tablename__ = "employees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    cpf: Mapped[str] = mapped_column(String(11), unique=True)
    pin_index: Mapped[str] = mapped_column(String(96), index=True)
    pin_hash: Mapped[str] = mapped_column(Text)
    badge_index: Mapped[str | None] = mapped_column(String(96), index=True)
    badge_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    all_kiosks: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    admission_date: Mapped[date | None] = mapped_column(Date)  # first day owed (espelho, AEJ)
    role: Mapped[str] = mapped_column(String(80), default="")  # cargo (AEJ, espelho)
    # consent to export reviewed punch audio for improving the verifier (NULL: none/revoked)
    voice_consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voice_consent_purpose: Mapped[str] = mapped_column(Text, default="")  # as shown when given
    voice_consent_by: Mapped[str] = mapped_column(String(150), default="")  # who recorded it
    kiosks: Mapped[list[Kiosk]] = relationship(secondary="employee_kiosks")

    @property
    def has_credentials(self) -> bool:
        """False for an employee a kiosk sent up: its PIN stays on that kiosk (its own key)."""
        return bool(self.pin_index)


class EmployeeKiosk(Base):
    """Which kiosks an employee may punch at, when not ``all_kiosks``."""

    __tablename__ = "employee_kiosks"
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)


class Punch(Base):
    """A punch exactly as the kiosk recorded and hashed it, plus what Central found on arrival."""

    __tablename__ = "punches"
    __table_args__ = (UniqueConstraint("kiosk_id", "nsr", name="punches_kiosk_nsr"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    nsr: Mapped[int] = mapped_column(BigInteger)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    ledger_kiosk_id: Mapped[str] = mapped_column(String(32))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    kiosk_employee_id: Mapped[int] = mapped_column(Integer)
    employee_name: Mapped[str] = mapped_column(String(150))
    cpf: Mapped[str] = mapped_column(String(11), index=True)
    type: Mapped[str] = mapped_column(String(16))
    punched_at: Mapped[str] = mapped_column(String(40))
    punched_at_ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    recorded_at: Mapped[str] = mapped_column(String(40))
    expected: Mapped[str] = mapped_column(Text)
    transcript: Mapped[str] = mapped_column(Text)
    validated: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(40))
    tries: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(Boolean)
    flag_reason: Mapped[str] = mapped_column(Text)
    offline: Mapped[bool] = mapped_column(Boolean)
    audio_sha256: Mapped[str] = mapped_column(String(64))
    afd_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    chain_ok: Mapped[bool] = mapped_column(Boolean)  # record hash + link to NSR-1 verified
    chain_problem: Mapped[str] = mapped_column(Text, default="")


class RepEventRow(Base):
    """A kiosk's REP event (AFD types 2, 4, 5, 6: employer, clock adjustment, employee,
    sensitive event) as the kiosk hashed it. Events share the kiosk's NSR sequence and ledger
    chain with its punches, so Central needs them to verify that chain."""

    __tablename__ = "rep_events"
    __table_args__ = (UniqueConstraint("kiosk_id", "nsr", name="rep_events_kiosk_nsr"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    nsr: Mapped[int] = mapped_column(BigInteger)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    ledger_kiosk_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    recorded_at: Mapped[str] = mapped_column(String(40))
    fields: Mapped[str] = mapped_column(Text)  # canonical JSON object of strings
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    chain_ok: Mapped[bool] = mapped_column(Boolean)
    chain_problem: Mapped[str] = mapped_column(Text, default="")


class PunchAudio(Base):
    """Voice audio, only for punches from kiosks where audio retention is on."""

    __tablename__ = "punch_audio"
    punch_id: Mapped[int] = mapped_column(ForeignKey("punches.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CentralVerdict(Base):
    """Central's own re-check of a punch (same core); stored beside the kiosk's verdict."""

    __tablename__ = "central_verdicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    punch_id: Mapped[int] = mapped_column(ForeignKey("punches.id"), index=True)
    validated: Mapped[bool] = mapped_column(Boolean)
    spoken_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(40), default="")
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class KioskEvent(Base):
    """Something HR/IT must see about a kiosk: an NSR gap, a conflicting NSR, a head that does
    not match what Central anchored, a revocation."""

    __tablename__ = "kiosk_events"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    alert: Mapped[bool] = mapped_column(Boolean, default=False)  # HR/IT must act on it
    kiosk_alert_id: Mapped[int | None] = mapped_column(BigInteger)  # the kiosk's own alert id
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(150))


class KioskAnchor(Base):
    """One head (NSR, hash) a kiosk reported right after a punch: kept so a later report of
    the same NSR with another hash (a rewritten ledger) is caught however late it comes."""

    __tablename__ = "kiosk_anchors"
    __table_args__ = (UniqueConstraint("kiosk_id", "nsr", name="kiosk_anchor_nsr"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    nsr: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class LoginThrottle(Base):
    """Failed logins for one key (``conta:<username>`` or ``ip:<address>``) and when the next
    try is allowed: each failure past the free ones doubles the wait."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KioskEmployee(Base):
    """A CPF a kiosk reported holding (its own or from a roster): Central's roster for that
    kiosk then merges with it, and still tells it when HR deactivates that person."""

    __tablename__ = "kiosk_employees"
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    cpf: Mapped[str] = mapped_column(String(11), primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    active: Mapped[bool] = mapped_column(Boolean)
    reported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class QuarantinedRecord(Base):
    """A record a kiosk credential sent that Central does not hold: it does not chain (reason
    ``hash``: its own hash; ``link``: its prev_hash is not Central's hash at NSR-1), takes an NSR
    Central holds with other content (``conflict``), names another ledger (``kiosk_id``), or
    waits for a missing NSR (``gap``: held later if it then chains, ``resolved_at``). Never a
    punch, never moves the head. HR acknowledges it with a note; until then the kiosk is told."""

    __tablename__ = "quarantined_records"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "nsr", "hash", name="quarantine_kiosk_nsr_hash"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    nsr: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8))  # punch | event
    uuid: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(16))
    problem: Mapped[str] = mapped_column(Text)
    hash: Mapped[str] = mapped_column(String(64))  # as sent
    prev_hash: Mapped[str] = mapped_column(String(64))  # as sent
    expected_prev: Mapped[str | None] = mapped_column(String(64))  # Central's hash at NSR-1
    held_hash: Mapped[str | None] = mapped_column(String(64))  # Central's hash at this NSR
    record: Mapped[str] = mapped_column(Text)  # the whole record as sent (JSON, no audio)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    times: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(150))
    ack_note: Mapped[str | None] = mapped_column(Text)


# The Core tables behind the models, typed as Table (``Model.__table__`` is typed as a
# FromClause), for the bulk inserts and updates of the ingest, the kiosk heads and the roster.
PUNCH_TABLE = cast(Table, Punch.__table__)
KIOSK_TABLE = cast(Table, Kiosk.__table__)
EVENT_TABLE = cast(Table, RepEventRow.__table__)
QUARANTINE_TABLE = cast(Table, QuarantinedRecord.__table__)
KIOSK_EVENT_TABLE = cast(Table, KioskEvent.__table__)
PUNCH_AUDIO_TABLE = cast(Table, PunchAudio.__table__)
KIOSK_EMPLOYEE_TABLE = cast(Table, KioskEmployee.__table__)
