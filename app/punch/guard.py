"""Lockout per identity on every path that checks a secret (kiosk, CLI, service, admin PIN).

    guard = IdentityGuard(LockoutStore.beside(ledger.path), LockoutSettings(), clock)
    employee = guard.attempt("pin", pin, lambda: ledger.find_by_pin(pin))   # or raises LockedOut
    ok = guard.attempt("admin", pin, lambda: check_admin_pin(pin, stored) or None)
    guard.notice()  -> LockNotice | None     # idle screen: "bloqueado até 14:03:12", no name

A wrong PIN cannot name a person, so failures are counted by what was tried:

- each tried value (this badge number, this wrong PIN) has its own bucket: the same wrong value
  ``failures`` times locks that value only (someone retrying an old PIN or a dead card);
- every *different* wrong value also counts in the path's shared bucket ("pin" or "badge"):
  ``guesses`` different wrong PINs lock PIN entry, never badges or the admin; that is what
  guessing looks like, and it is the only way to slow it down;
- the admin PIN has a bucket of its own: guessing it never locks employees, and employees'
  mistakes never lock the admin.

A success clears the tried value's bucket, never a shared one (else knowing one's own PIN would
reset the guess counter). Delays grow: first ``first_delay_s``, doubling per further failure,
capped at ``max_delay_s``; state lives in ``lockout.sqlite3`` beside the ledger, so a restart
keeps it. Attempts while locked are refused without checking the secret and are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from app.core.errors import PontoVozError
from app.punch import words
from app.store.lockout import LockoutPolicy, LockoutStore, LockState

T = TypeVar("T")
KINDS = ("pin", "badge", "admin")


@dataclass(frozen=True)
class LockoutSettings:
    failures: int = 5  # the same wrong value, or the admin PIN: failures before a lock
    guesses: int = 10  # different wrong values on one path before that path locks
    first_delay_s: float = 30.0
    max_delay_s: float = 900.0
    forgive_every_s: float = 360.0  # quiet time that forgives one failure (a leak, not a reset)

    def policy(self, failures: int) -> LockoutPolicy:
        return LockoutPolicy(failures, self.first_delay_s, self.max_delay_s, self.forgive_every_s)


class LockedOut(PontoVozError):
    """Too many failures: ``subject`` (pin, pin-value, badge, badge-value, admin) is locked
    until ``until``. The message is pt-BR, ready for a screen or the CLI."""

    def __init__(self, subject: str, until: datetime) -> None:
        self.message = words.locked_message(subject, until)
        super().__init__(self.message)
        self.subject = subject
        self.until = until


@dataclass(frozen=True)
class LockNotice:
    """What the idle screen may say: until when something is locked, never whose."""

    until: datetime
    subjects: tuple[str, ...]

    @property
    def text(self) -> str:
        return words.idle_lock_notice(self.until)


class IdentityGuard:
    def __init__(
        self, store: LockoutStore, settings: LockoutSettings, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.settings = settings
        self._clock = clock
        self._value_policy = settings.policy(settings.failures)
        self._guess_policy = settings.policy(settings.guesses)

    def attempt(
        self, kind: str, secret: str, check: Callable[[], T | None], *, report_lock: bool = True
    ) -> T | None:
        """Run ``check`` unless locked; count a falsy answer as a failure. Raises LockedOut
        when locked, and (``report_lock``) when this very failure starts a lock."""
        if kind not in KINDS:
            raise ValueError(f"unknown identity kind {kind!r}")
        now = self._now()
        buckets = self._buckets(kind, secret)
        for bucket, policy in buckets:
            state = self.store.state(bucket, now, policy)
            if state.locked(now):
                raise LockedOut(_subject(bucket), self._at(state.locked_until))
        found = check()
        value_bucket, value_policy = buckets[-1]
        if found:
            self.store.clear(value_bucket)
            return found
        states = []
        if kind != "admin" and not self.store.known(value_bucket, now, value_policy):
            states.append(self.store.fail(kind, now, self._guess_policy))  # a new guess
        states.append(self.store.fail(value_bucket, now, value_policy))
        locked = [s for s in states if s.locked(now)]
        if locked and report_lock:
            worst = max(locked, key=lambda s: s.locked_until)
            raise LockedOut(_subject(worst.bucket), self._at(worst.locked_until))
        return None

    def state(self, kind: str) -> LockState:
        """The shared bucket of a path ("pin", "badge", "admin"), e.g. to grey out a keypad."""
        now = self._now()
        policy = self._value_policy if kind == "admin" else self._guess_policy
        return self.store.state(kind, now, policy)

    def notice(self) -> LockNotice | None:
        now = self._now()
        active = self.store.active(now, self._value_policy)
        if not active:
            return None
        until = max(s.locked_until for s in active)
        subjects = tuple(sorted({_subject(s.bucket) for s in active}))
        return LockNotice(self._at(until), subjects)

    def _buckets(self, kind: str, secret: str) -> list[tuple[str, LockoutPolicy]]:
        if kind == "admin":
            return [("admin", self._value_policy)]
        value = self.store.key(kind, str(secret).strip())
        return [(kind, self._guess_policy), (value, self._value_policy)]

    def _now(self) -> float:
        return self._aware().timestamp()

    def _aware(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo else now.astimezone()

    def _at(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, self._aware().tzinfo)


def _subject(bucket: str) -> str:
    kind, _, value = bucket.partition(":")
    return f"{kind}-value" if value else kind
