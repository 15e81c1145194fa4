"""Failure counters with a growing delay, persisted in a small SQLite file beside the ledger.

    store = LockoutStore.beside(ledger.path)         # <ledger folder>/lockout.sqlite3, mode 0600
    policy = LockoutPolicy(failures=5, first_delay_s=30, max_delay_s=900, forgive_every_s=360)
    store.state("admin", now)       -> LockState (locked_until 0 when free)
    store.fail("admin", now, policy) -> LockState  # committed before it returns
    store.states([(bucket, policy), ...], now) / store.fail_attempt(value, shared, now)
    store.clear("admin")            # after a success
    store.active(now)               -> locks still running (for the idle screen; no names)

A bucket is an opaque string the caller chooses ("admin", "pin", "badge:<key>"); this module
only counts. After ``failures`` failures a bucket is locked for ``first_delay_s``; every further
failure doubles the delay, up to ``max_delay_s``. Quiet time forgives: one failure per
``forgive_every_s`` after the last failure (and its lock). A leak rather than a reset, so waiting
out a quiet spell never buys a fresh batch of free guesses: at steady state a guesser gets about
one try per ``forgive_every_s``. Forgiven buckets are deleted on the next failure. Times are
epoch seconds from the caller's clock, so a restart keeps a lock; a clock set backwards restarts
a lock from the new "now" (same length) instead of stretching it by the size of the jump.

Why a file of its own: the ledger database is the Portaria's record and holds only punches and
their metadata; lockout state is churn that must survive restarts but never touches the chain.
``key(kind, value)`` turns a tried secret (a badge number, a wrong PIN) into a keyed digest, so
the file never holds a tried value in clear.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.store.db import disk_almost_full, disk_full_error, os_reason
from app.store.errors import ErrorCode, LedgerError

FILE_NAME = "lockout.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    bucket TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure REAL NOT NULL,
    locked_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS misses (at REAL NOT NULL, kind TEXT NOT NULL, bucket TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS misses_at ON misses(kind, at);
"""
MISS_WINDOW_S = 86400.0  # failures are remembered a day, to see slow guessing


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int = 5  # failures before the first lock
    first_delay_s: float = 30.0
    max_delay_s: float = 900.0
    forgive_every_s: float = 360.0  # quiet time that forgives one failure

    def __post_init__(self) -> None:
        bad_delays = self.first_delay_s <= 0 or self.max_delay_s < self.first_delay_s
        if self.failures < 1 or bad_delays or self.forgive_every_s <= 0:
            raise ValueError(f"bad lockout policy {self}")

    def delay(self, failures: int) -> float:
        """Seconds locked after the ``failures``-th failure in a row (0: not locked)."""
        if failures < self.failures:
            return 0.0
        doublings = min(failures - self.failures, 32)  # 2**32 * 30 s is past any cap
        return min(self.max_delay_s, self.first_delay_s * 2**doublings)


@dataclass(frozen=True)
class MissCounts:
    """Different wrong values tried on one path in the last hour and the last 24 hours."""

    hour: int
    day: int


@dataclass(frozen=True)
class LockState:
    bucket: str
    failures: int = 0
    locked_until: float = 0.0  # epoch seconds; 0 or in the past: free

    def locked(self, now: float) -> bool:
        return self.locked_until > now

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.locked_until - now)


class LockoutStore:
    """See the module docstring. Opens a short connection per call: cheap (identification is
    rare), safe across the kiosk and CLI processes, and nothing to close."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._salt: bytes | None = None

    @classmethod
    def beside(cls, ledger_path: Path) -> LockoutStore:
        return cls(Path(ledger_path).with_name(FILE_NAME))

    # ---- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self._create_private()
            conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            if _full(exc, self.path):
                raise disk_full_error(self.path) from exc
            raise LedgerError(
                f"não foi possível abrir o arquivo de bloqueios {self.path}: {os_reason(exc)}",
                ErrorCode.IO_ERROR,
            ) from exc
        try:
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if "locked" in str(exc):
                raise LedgerError(
                    f"o arquivo de bloqueios {self.path} está em uso por outro programa; tente "
                    "de novo",
                    ErrorCode.BUSY,
                ) from exc
            if _full(exc, self.path):  # not this file's fault: say what is wrong
                raise disk_full_error(self.path) from exc
            raise LedgerError(
                f"erro no arquivo de bloqueios {self.path} (SQLite: {exc})", ErrorCode.IO_ERROR
            ) from exc
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()

    def _create_private(self) -> None:
        """Create the file 0600 (whatever the umask) before SQLite opens it; SQLite gives its
        journal the database file's mode."""
        if self.path.exists():
            return
        paths.private_dir(self.path.parent)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        os.fchmod(fd, 0o600)
        os.close(fd)

    def key(self, kind: str, value: str) -> str:
        """``kind:<digest>`` for a tried value; the digest is keyed by a salt kept in the file."""
        if self._salt is None:
            with self._connect() as c:
                row = c.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
                if row is None:
                    row = (secrets.token_hex(16),)
                    c.execute("INSERT INTO meta (name, value) VALUES ('salt', ?)", row)
            self._salt = bytes.fromhex(row[0])
        digest = hmac.new(self._salt, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:32]}"

    # ---- counting ---------------------------------------------------------------------------

    def state(self, bucket: str, now: float, policy: LockoutPolicy | None = None) -> LockState:
        policy = policy or LockoutPolicy()
        with self._connect() as c:
            return self._load(c, bucket, now, policy)

    def states(self, buckets: list[tuple[str, LockoutPolicy]], now: float) -> list[LockState]:
        """Several buckets in one transaction (what a check before an attempt needs)."""
        with self._connect() as c:
            return [self._load(c, bucket, now, policy) for bucket, policy in buckets]

    def fail(self, bucket: str, now: float, policy: LockoutPolicy | None = None) -> LockState:
        """Count one failure (committed before returning); lock when the policy says so."""
        policy = policy or LockoutPolicy()
        with self._connect() as c:
            return self._fail(c, bucket, now, policy)

    def fail_attempt(
        self,
        value: tuple[str, LockoutPolicy],
        shared: tuple[str, LockoutPolicy] | None,
        now: float,
    ) -> list[LockState]:
        """One failed attempt, in one transaction: count it on the tried value's bucket, and on
        the ``shared`` bucket only when that value had no failures left (a new guess)."""
        with self._connect() as c:
            out = []
            if shared is not None and self._load(c, value[0], now, value[1]).failures == 0:
                out.append(self._fail(c, shared[0], now, shared[1]))
            out.append(self._fail(c, value[0], now, value[1]))
            return out

    def _fail(
        self, c: sqlite3.Connection, bucket: str, now: float, policy: LockoutPolicy
    ) -> LockState:
        old = self._load(c, bucket, now, policy)
        failures = old.failures + 1
        delay = policy.delay(failures)
        until = max(old.locked_until, now + delay) if delay else old.locked_until
        c.execute(
            "INSERT INTO buckets (bucket, failures, last_failure, locked_until)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(bucket) DO UPDATE SET"
            " failures = excluded.failures, last_failure = excluded.last_failure,"
            " locked_until = excluded.locked_until",
            (bucket, failures, now, until),
        )
        c.execute(  # forgiven buckets go (each wrong value is a row)
            "DELETE FROM buckets WHERE max(last_failure, locked_until) + failures * ? < ?",
            (policy.forgive_every_s, now),
        )
        return LockState(bucket, failures, until)

    def note_miss(self, kind: str, bucket: str, now: float) -> MissCounts:
        """Remember one failure of ``kind`` (the tried value's keyed ``bucket``, never the value)
        for a day and count the different values tried: slow guessing (one PIN every few
        minutes) never trips a lock, but it shows here."""
        with self._connect() as c:
            c.execute("DELETE FROM misses WHERE at < ? OR at > ?", (now - MISS_WINDOW_S, now + 60))
            c.execute("INSERT INTO misses (at, kind, bucket) VALUES (?, ?, ?)", (now, kind, bucket))
            hour, day = c.execute(
                "SELECT count(DISTINCT CASE WHEN at >= ? THEN bucket END), count(DISTINCT bucket)"
                " FROM misses WHERE kind = ?",
                (now - 3600, kind),
            ).fetchone()
            return MissCounts(int(hour), int(day))

    def claim(self, name: str, now: float, every_s: float) -> bool:
        """True at most once per ``every_s`` for ``name`` (e.g. one alert an hour), across
        processes; a clock set backwards claims again."""
        with self._connect() as c:
            row = c.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
            last = float(row[0]) if row else None
            if last is not None and last <= now < last + every_s:
                return False
            c.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, str(now)))
            return True

    def clear(self, bucket: str) -> None:
        with self._connect() as c:
            c.execute("DELETE FROM buckets WHERE bucket = ?", (bucket,))

    def active(self, now: float, policy: LockoutPolicy | None = None) -> list[LockState]:
        """Buckets locked right now, the longest lock first."""
        policy = policy or LockoutPolicy()
        with self._connect() as c:
            rows = c.execute(
                "SELECT bucket FROM buckets WHERE locked_until > ? ORDER BY locked_until DESC",
                (now,),
            ).fetchall()
            states = [self._load(c, r[0], now, policy) for r in rows]
        return [s for s in states if s.locked(now)]

    @staticmethod
    def _load(c: sqlite3.Connection, bucket: str, now: float, policy: LockoutPolicy) -> LockState:
        row = c.execute(
            "SELECT failures, last_failure, locked_until FROM buckets WHERE bucket = ?", (bucket,)
        ).fetchone()
        if row is None:
            return LockState(bucket)
        failures, last, until = int(row[0]), float(row[1]), float(row[2])
        if last > now + 1.0:
            # The clock was set backwards: restart the lock from now (same length), so it can
            # neither last for the size of the jump nor vanish.
            until = now + max(0.0, min(until - last, policy.max_delay_s))
            last = now
            c.execute(
                "UPDATE buckets SET last_failure = ?, locked_until = ? WHERE bucket = ?",
                (last, until, bucket),
            )
        forgiven = int(max(0.0, now - max(last, until)) // policy.forgive_every_s)
        if forgiven >= failures:
            return LockState(bucket)
        return LockState(bucket, failures - forgiven, until)


def _full(exc: BaseException, path: Path) -> bool:
    """A write that failed because the disk is full (SQLite says "disk I/O error" or "database
    or disk is full"; the OS says ENOSPC)."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return disk_almost_full(path)
