"""Login throttling: per account and per address, a delay that doubles with each failure.

Forty wrong passwords in a row used to get forty quick 401s. Now each key (``conta:<user>`` and
``ip:<address>``) has a few free failures; past them every failure doubles the wait before the
next try (1 s, 2 s, 4 s ... up to ``MAX_DELAY_S``), and a try during the wait is refused before
the password is even checked (so waiting it out is the only way on, and hammering does not extend
the wait the real user sees). Failures older than ``WINDOW`` are forgotten; a success clears the
account's count (not the address's: one valid account must not buy guesses at others).

The rows are locked (``SELECT ... FOR UPDATE``) for the whole login transaction, so parallel
guesses are counted one after another instead of all passing a check made before any failed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.central.models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    free_account: int = 5  # failures per account before any wait
    free_address: int = 20  # an office behind one NAT address shares this
    base_delay_s: float = 1.0
    max_delay_s: float = 900.0  # 15 min
    window: timedelta = timedelta(hours=6)  # failures older than this are forgotten


POLICY = Policy()


@dataclass(frozen=True)
class Verdict:
    wait_s: int  # 0: go ahead and check the password


def keys(username: str, address: str) -> list[tuple[str, int]]:
    """(key, free failures) for this attempt, in lock order."""
    out = [(f"conta:{username.strip().lower()[:150]}", POLICY.free_account)]
    if address:
        out.append((f"ip:{address[:100]}", POLICY.free_address))
    return sorted(out)


def delay_s(failures: int, free: int, policy: Policy = POLICY) -> float:
    """Seconds to wait after ``failures`` failures in a row (0 while within the free ones)."""
    if failures < free:
        return 0.0
    return min(policy.max_delay_s, policy.base_delay_s * 2 ** min(failures - free, 30))


def check(s: Session, username: str, address: str, now: datetime | None = None) -> Verdict:
    """Lock this attempt's rows and say how long it must still wait (0: go ahead)."""
    now = now or datetime.now(UTC)
    ks = keys(username, address)
    s.execute(
        insert(LoginThrottle)
        .values([{"key": k, "failures": 0} for k, _ in ks])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    rows = s.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.key.in_([k for k, _ in ks]))
        .order_by(LoginThrottle.key)
        .with_for_update()
    ).all()
    wait = 0.0
    for row in rows:
        if row.blocked_until is not None and row.blocked_until > now:
            wait = max(wait, (row.blocked_until - now).total_seconds())
    return Verdict(math.ceil(wait))


def failed(s: Session, username: str, address: str, now: datetime | None = None) -> int:
    """Count a failure on both keys; returns the wait (s) before the next try."""
    now = now or datetime.now(UTC)
    wait = 0.0
    for key, free in keys(username, address):
        row = s.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            s.add(row)
        stale = row.last_failure_at is None or now - row.last_failure_at > POLICY.window
        row.failures = 1 if stale else row.failures + 1
        row.last_failure_at = now
        pause = delay_s(row.failures, free)
        row.blocked_until = now + timedelta(seconds=pause) if pause else None
        wait = max(wait, pause)
    s.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - timedelta(days=2)))
    return math.ceil(wait)


def succeeded(s: Session, username: str) -> None:
    s.execute(
        delete(LoginThrottle).where(LoginThrottle.key == f"conta:{username.strip().lower()[:150]}")
    )


def message(wait_s: int) -> str:
    return f"Muitas tentativas. Tente de novo em {max(1, wait_s)} s."
