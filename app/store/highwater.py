"""The high-water file ``<ledger>.nsr``: per kiosk, the highest NSR ever acknowledged and that
record's MAC, kept outside the database and signed with the kiosk key.

Why: deleting the tail of the database (after dropping its triggers) leaves a chain that
verifies, and the next record would reuse the deleted NSRs. With this file, new NSRs start
above the mark (never reused) and `ledger verify` reports the missing tail, an emptied or
replaced database (other ledger id) and a file edited without the key.

It is written after COMMIT and before the record is returned (acknowledged): a crash in
between leaves the database one record ahead of the mark, which is fine; the mark is never
ahead of a committed record. Writers in several processes merge under ``flock`` (max wins).

A mirror, ``<ledger>.nsr2``, holds the same marks under another MAC domain and is never put
in a backup: putting back an older ``.nsr`` (every ``ledger backup`` carries one, no key
needed) no longer rolls the mark back, because the mark is the highest of the two files and
a ``.nsr`` older than its mirror is reported. A ``.nsr`` copied over the mirror does not pass
its MAC. What a kiosk alone still cannot see: docs/LEDGER-INTEGRITY.md.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.store.db import FILE_MODE
from app.store.keys import LedgerKey, canonical

log = logging.getLogger(__name__)
BLOCK = 512


@dataclass(frozen=True)
class Mark:
    nsr: int
    mac: str


@dataclass(frozen=True)
class HighWaterState:
    ledger_id: str
    marks: dict[str, Mark] = field(default_factory=dict)


def highwater_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".nsr")


def mirror_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".nsr2")


PRIMARY, MIRROR = "highwater", "highwater-mirror"  # MAC domains: one file is not the other


class HighWater:
    def __init__(self, db_path: Path, key: LedgerKey, *, mirror: bool = True) -> None:
        self.path = highwater_path(db_path)
        self.mirror = mirror_path(db_path) if mirror else None  # a backup's copy has none
        self._key = key

    def exists(self) -> bool:
        return self.path.exists()

    def mirror_exists(self) -> bool:
        return self.mirror is not None and self.mirror.exists()

    def load(self) -> tuple[HighWaterState | None, str]:
        """(state, problem): the marks of the file and its mirror (per kiosk, the higher);
        state None when both are missing or unreadable; problem says why (a missing mirror
        is not one: `app.store.opening` recreates it and raises an alert)."""
        with self._locked(fcntl.LOCK_SH):  # never read a half-written file
            return self._load()

    def load_primary(self) -> tuple[HighWaterState | None, str]:
        """The ``.nsr`` file alone (what a backup carries)."""
        with self._locked(fcntl.LOCK_SH):
            return self._load_file(self.path, PRIMARY)

    def _load(self) -> tuple[HighWaterState | None, str]:
        state, problem = self._load_file(self.path, PRIMARY)
        if self.mirror is None or not self.mirror.exists():
            return state, problem
        mirrored, mproblem = self._load_file(self.mirror, MIRROR)
        problems = [p for p in (problem, mproblem) if p]
        if mirrored is None or mproblem:
            return state, "; ".join(problems)
        if state is None:
            return mirrored, "; ".join(problems)
        marks = dict(state.marks)
        for kiosk, mark in mirrored.marks.items():
            mine = marks.get(kiosk)
            if mine is None or mine.nsr < mark.nsr:
                problems.append(
                    f"high-water file {self.path.name} is older than its mirror for kiosk "
                    f"{kiosk} (NSR {mine.nsr if mine else 0} < {mark.nsr}): it was put back "
                    "from an older copy"
                )
                marks[kiosk] = mark
        return HighWaterState(state.ledger_id, marks), "; ".join(problems)

    def _load_file(self, path: Path, domain: str) -> tuple[HighWaterState | None, str]:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None, f"high-water file {path.name} is missing"
        except OSError as exc:
            return None, f"high-water file {path.name} cannot be read ({exc})"
        try:
            data = json.loads(raw)
            marks = {k: Mark(int(v[0]), str(v[1])) for k, v in data["marks"].items()}
            state = HighWaterState(str(data["ledger_id"]), marks)
            mac = str(data["mac"])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None, f"high-water file {path.name} is empty or unreadable"
        if mac != self._mac(state, domain):
            return state, f"high-water file {path.name} was edited without the key"
        return state, ""

    def floor(self, kiosk_id: str) -> int:
        """The highest NSR ever handed out for this kiosk (0 when unknown)."""
        state, _ = self.load()
        mark = state.marks.get(kiosk_id) if state else None
        return mark.nsr if mark else 0

    def create(self, ledger_id: str, marks: dict[str, Mark] | None = None) -> None:
        """Write the file (and its mirror, unless this is a backup's copy)."""
        with self._locked():
            self._write_both(HighWaterState(ledger_id, dict(marks or {})))

    def write_mirror(self, state: HighWaterState) -> None:
        """(Re)create the mirror alone: a ledger from before mirrors, or one that vanished."""
        if self.mirror is not None:
            with self._locked():
                self._write(self.mirror, state, MIRROR)

    def advance(self, ledger_id: str, kiosk_id: str, mark: Mark) -> None:
        """Raise this kiosk's mark to ``mark`` (never lowers it); keeps the file's ledger id."""
        with self._locked():
            state, _ = self._load()
            if state is None:
                state = HighWaterState(ledger_id)
            current = state.marks.get(kiosk_id)
            if current is not None and current.nsr >= mark.nsr:
                return
            self._write_both(HighWaterState(state.ledger_id, {**state.marks, kiosk_id: mark}))

    def _write_both(self, state: HighWaterState) -> None:
        self._write(self.path, state, PRIMARY)
        if self.mirror is not None:
            self._write(self.mirror, state, MIRROR)

    def _mac(self, state: HighWaterState, domain: str = PRIMARY) -> str:
        marks = {k: [m.nsr, m.mac] for k, m in state.marks.items()}
        return self._key.mac(domain, canonical({"ledger_id": state.ledger_id, "m": marks}))

    def _write(self, path: Path, state: HighWaterState, domain: str) -> None:
        """In place, padded to whole 512-byte blocks, one fdatasync: a record's cost matters
        (every punch pays it). A new file is made atomically (temp file + rename)."""
        data = {
            "ledger_id": state.ledger_id,
            "marks": {k: [m.nsr, m.mac] for k, m in sorted(state.marks.items())},
            "mac": self._mac(state, domain),
        }
        text = json.dumps(data, sort_keys=True).encode()
        text += b" " * (-len(text) % BLOCK)
        if path.exists():
            fd = os.open(path, os.O_WRONLY)
            try:
                os.pwrite(fd, text, 0)
                if os.fstat(fd).st_size != len(text):
                    os.ftruncate(fd, len(text))
                os.fdatasync(fd)
            finally:
                os.close(fd)
            return
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.write(fd, text)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    @contextmanager
    def _locked(self, mode: int = fcntl.LOCK_EX) -> Iterator[None]:
        """``flock`` on the folder (the file itself is replaced when first made)."""
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            fcntl.flock(dir_fd, mode)
            yield
        finally:
            os.close(dir_fd)  # releases the lock
