"""Lockout per identity on every path that checks a secret (kiosk, CLI, service, admin PIN).

    guard = IdentityGuard(LockoutStore.beside(ledger.path), LockoutSettings(), clock)
    employee = guard.attempt("pin", pin, lambda: ledger.find_by_pin(pin))   # or raises LockedOut
    ok = guard.attempt("admin", pin, lambda: check_admin_pin(pin, stored) or None)
    guard.notice()  -> LockNotice | None     # idle screen: "bloqueado até 14:03:12", no name

A wrong PIN cannot name a person, so failures are counted by what was tried:

- each tried value (this badge number, this wrong PIN) has its own bucket: the same wrong value
  ``failures`` times locks that value only (someone retrying an old PIN or a dead card);
- PIN entry as a whole is never locked: a lock there would let one person (or a prankster)
  keep every employee from punching. Guessing is slowed by the lookup itself (one scrypt per
  try, `app.rep.slow_pins`) and by 6-digit PINs, and it is *seen*: every wrong value is
  remembered for a day, and ``guesses`` different wrong PINs within an hour, or
  ``daily_guesses`` within 24 hours (one guess every few minutes all day), raise a
  "pin_guessing" security alert in the ledger, which the sync carries to Central (HR and IT);
- every *different* unknown badge counts in the badge path's shared bucket: ``guesses`` lock
  badge reading (a card cloner scans fast; PIN entry still works) and raise "badge_guessing";
- the admin PIN has a bucket of its own: guessing it never locks employees, and employees'
  mistakes never lock the admin.

A success clears the tried value's bucket, never a shared one or the day's record of misses
(else knowing one's own PIN would reset the guess counter). Delays grow: first
``first_delay_s``, doubling per further failure, capped at ``max_delay_s``; state lives in
``lockout.sqlite3`` beside the ledger, so a restart keeps it. Attempts while locked are
refused without checking the secret and are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from app.core.errors import PontoVozError
from app.punch import words
from app.store.lockout import LockoutPolicy, LockoutStore, LockState, MissCounts

T = TypeVar("T")
KINDS = ("pin", "badge", "admin")
AlertSink = Callable[[str, str], None]  # (kind, pt-BR detail), e.g. `app.store.alerts`
ALERT_EVERY_S = 3600.0  # at most one guessing alert per path per hour


@dataclass(frozen=True)
class LockoutSettings:
    failures: int = 5  # the same wrong value, or the admin PIN: failures before a lock
    guesses: int = 10  # different wrong values in an hour: an alert (badges: also a lock)
    daily_guesses: int = 20  # different wrong values in 24 hours: an alert (slow guessing)
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
        self,
        store: LockoutStore,
        settings: LockoutSettings,
        clock: Callable[[], datetime],
        alert: AlertSink | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._clock = clock
        self._alert = alert
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
        before = self.store.states(buckets, now)
        for state in before:
            if state.locked(now):
                raise LockedOut(_subject(state.bucket), self._at(state.locked_until))
        found = check()
        if found:
            if before[-1].failures:
                self.store.clear(buckets[-1][0])
            return found
        shared = buckets[0] if kind == "badge" else None  # PIN entry is never locked as a whole
        states = self.store.fail_attempt(buckets[-1], shared, now)
        if kind != "admin":
            self._watch(kind, buckets[-1][0], now)
        locked = [s for s in states if s.locked(now)]
        if locked and report_lock:
            worst = max(locked, key=lambda s: s.locked_until)
            raise LockedOut(_subject(worst.bucket), self._at(worst.locked_until))
        return None

    def _watch(self, kind: str, bucket: str, now: float) -> None:
        """Count the different wrong values of the last hour/day; raise an alert past the
        thresholds (at most one per path per hour)."""
        counts = self.store.note_miss(kind, bucket, now)
        hot = counts.hour >= self.settings.guesses or counts.day >= self.settings.daily_guesses
        if (
            hot
            and self._alert is not None
            and self.store.claim(f"alert:{kind}", now, ALERT_EVERY_S)
        ):
            self._alert(f"{kind}_guessing", guessing_alert(kind, counts))

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
        if kind == "pin":
            return [(value, self._value_policy)]
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


def guessing_alert(kind: str, counts: MissCounts) -> str:
    """The alert's pt-BR detail (HR and IT read it on Central)."""
    what = "PINs diferentes" if kind == "pin" else "crachás desconhecidos diferentes"
    return (
        f"Possível tentativa de adivinhar {'PINs' if kind == 'pin' else 'crachás'} neste "
        f"terminal: {counts.hour} {what} errados na última hora e {counts.day} nas últimas 24 "
        "horas. Ninguém foi bloqueado por isso; confira quem usou o terminal e peça a quem "
        "tem PIN de 4 dígitos que troque por um de 6."
    )
