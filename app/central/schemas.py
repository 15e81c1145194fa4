"""The wire format between kiosks and Central (pydantic). A punch travels with exactly the
fields its kiosk hashed, booleans as 0/1 as in the ledger, so Central can recompute the chains."""

from __future__ import annotations

from pydantic import BaseModel, Field

Hex64 = Field(pattern=r"^[0-9a-f]{64}$")


class PunchIn(BaseModel):
    kiosk_id: str = Field(min_length=1, max_length=32)
    nsr: int = Field(ge=1, le=999_999_999)
    uuid: str = Field(min_length=1, max_length=36)
    employee_id: int
    employee_name: str = Field(max_length=150)
    cpf: str = Field(pattern=r"^[0-9]{11}$")
    type: str = Field(max_length=16)
    punched_at: str = Field(max_length=40)
    recorded_at: str = Field(max_length=40)
    expected: str = Field(max_length=200)
    transcript: str = Field(max_length=2000)
    validated: int = Field(ge=0, le=1)
    method: str = Field(max_length=40)
    tries: int = Field(ge=0, le=1000)
    flagged: int = Field(ge=0, le=1)
    flag_reason: str = Field(max_length=2000)
    offline: int = Field(ge=0, le=1)
    audio_sha256: str = Field(pattern=r"^([0-9a-f]{64})?$")
    afd_hash: str = Hex64
    prev_hash: str = Hex64
    hash: str = Hex64
    audio: str | None = Field(default=None, max_length=8_000_000)  # base64, retention on only


class EventIn(BaseModel):
    """A REP event (AFD types 2/4/5/6) in the kiosk's NSR sequence, as the kiosk hashed it."""

    kiosk_id: str = Field(min_length=1, max_length=32)
    nsr: int = Field(ge=1, le=999_999_999)
    uuid: str = Field(min_length=1, max_length=36)
    kind: str = Field(min_length=1, max_length=24)
    recorded_at: str = Field(max_length=40)
    fields: dict[str, str] = Field(max_length=50)
    prev_hash: str = Hex64
    hash: str = Hex64


class Head(BaseModel):
    nsr: int = Field(ge=0)
    hash: str = Hex64


class PushIn(BaseModel):
    head: Head | None = None  # the kiosk's ledger head when it sent this batch
    punches: list[PunchIn] = Field(max_length=1000)
    events: list[EventIn] = Field(default_factory=list, max_length=1000)


class Divergence(BaseModel):
    """A record sent with this kiosk's credential that Central quarantined (not held): the
    kiosk compares ``hash`` with its own record at ``nsr``."""

    nsr: int
    reason: str  # hash | link | conflict | kiosk_id
    problem: str  # pt-BR
    hash: str  # the quarantined record's hash, as sent
    held_hash: str | None = None  # what Central holds at this NSR, if anything
    expected_prev: str | None = None  # what Central holds at NSR-1


class PushOut(BaseModel):
    accepted: int  # newly held (punches and events that chain)
    duplicates: int  # already held (same uuid, same hash): a retry
    conflicts: int  # same NSR or uuid with other content, or another ledger: quarantined
    quarantined: int = 0  # records that do not chain (own hash, or link to NSR-1): quarantined
    head_nsr: int  # last NSR held without a gap: send from head_nsr + 1
    head_hash: str
    gaps: list[list[int]]  # [first, last] NSR ranges missing below what Central received
    divergences: list[Divergence] = Field(default_factory=list)  # open quarantine of this kiosk
    server_time: str


class EnrollIn(BaseModel):
    code: str = Field(min_length=4, max_length=40)
    name: str = Field(default="", max_length=120)
    ledger_kiosk_id: str = Field(min_length=1, max_length=32)


class EnrollOut(BaseModel):
    kiosk: int
    rep_number: int  # Central's own number for this kiosk (never shared)
    token: str
    roster_pepper: str  # hex: the key of PIN/badge indexes in the roster
    server_time: str


class RosterEmployee(BaseModel):
    """One person for a kiosk. Empty ``pin_index``: Central has no credential for them (a kiosk
    sent them up): the kiosk keeps its own. ``active`` false: HR deactivated them (or took them
    off this kiosk); the kiosk deactivates them. Absent from the list: the kiosk keeps them."""

    name: str
    cpf: str
    pin_index: str
    pin_hash: str
    badge_index: str | None
    badge_hash: str | None
    active: bool = True


class KioskEmployeeIn(BaseModel):
    """An employee a kiosk holds, sent up before it takes the roster down (matched by CPF)."""

    name: str = Field(min_length=1, max_length=150)
    cpf: str = Field(pattern=r"^[0-9]{11}$")
    active: bool = True
    since: str = Field(default="", max_length=40)  # when the kiosk registered them (ISO)


class EmployeesIn(BaseModel):
    employees: list[KioskEmployeeIn] = Field(max_length=20_000)


class EmployeesOut(BaseModel):
    created: int  # new in Central (no PIN there: it stays on the kiosk)
    known: int  # already in Central (matched by CPF)
    server_time: str


class RosterOut(BaseModel):
    version: str
    employees: list[RosterEmployee]
    server_time: str


class HeadOut(BaseModel):
    kiosk: int
    head_nsr: int
    head_hash: str
    gaps: list[list[int]]
    server_time: str
    rep_number: int = 0
    ledger_kiosk_id: str = ""  # the ledger id this kiosk enrolled with
    divergences: list[Divergence] = Field(default_factory=list)


class AnchorHead(BaseModel):
    nsr: int = Field(ge=0, le=10**12)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class KioskAlertIn(BaseModel):
    """A security alert the kiosk raised (its own id, so a resend is kept once)."""

    id: int = Field(ge=1, le=2**62)
    at: str = Field(max_length=40)
    kind: str = Field(min_length=1, max_length=64)
    detail: str = Field(max_length=2000)


class AnchorsIn(BaseModel):
    """The kiosk's ledger head now, the heads after each punch since the last call (queued
    while offline), its key fingerprint and its unsent security alerts."""

    head: AnchorHead
    heads: list[AnchorHead] = Field(default_factory=list, max_length=1000)
    key_fingerprint: str = Field(default="", max_length=64, pattern=r"^[0-9a-f]*$")
    alerts: list[KioskAlertIn] = Field(default_factory=list, max_length=500)


class AnchorsOut(BaseModel):
    stored: int
    alerts: list[str]
    alert_ids: list[int]
    server_time: str
