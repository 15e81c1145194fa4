"""`ledger verify`: everything that can be checked without trusting the database file.

Layers, each catching what the one before cannot:
1. the SHA-256 chains (ledger chain over every stored field, in NSR order across punches and
   events; the Portaria's type-7 chain; the corrections chain): an edit breaks a link;
2. the keyed MACs (kiosk key) on chained records, employees and cloud verdicts: re-hashing an
   edited ledger with the public code does not give valid MACs;
3. the append-only triggers must be present exactly as the schema wrote them;
4. the high-water file outside the database and its mirror (`rollback`): a deleted tail, an
   emptied or replaced file, a high-water file put back from an older copy.

Warnings (the report stays ok): employees whose PIN or badge still uses the fast legacy
index, which a stolen key guesses quickly (re-hashed on their next successful use).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sqlite3
from collections.abc import Iterator

from app.rep.chain import GENESIS, punch_afd_hash, record_hash
from app.rep.records import AFD_TYPES, PUNCH_FIELDS
from app.store import schema
from app.store.corrections import CORRECTION_FIELDS
from app.store.employees import count_legacy, employee_mac
from app.store.highwater import HighWater
from app.store.keys import LedgerKey
from app.store.models import ChainReport
from app.store.outbox import VERDICT_FIELDS, verdict_mac
from app.store.records import event_body
from app.store.rollback import mirror_problems


class Verifier:
    def __init__(
        self, c: sqlite3.Connection, key: LedgerKey, highwater: HighWater, ledger_id: str
    ) -> None:
        self.c = c
        self.key = key
        self.highwater = highwater
        self.ledger_id = ledger_id
        self.report = ChainReport(ok=True)

    def run(self) -> ChainReport:
        self._triggers()
        last = {kiosk: self._kiosk(kiosk) for kiosk in self._kiosks()}
        self._corrections()
        self._employees()
        self._verdicts()
        self._audio()
        self._highwater(last)
        for problem in mirror_problems(self.c, self.highwater, self.key, self.ledger_id):
            self._fail(problem)
        self._legacy_secrets()
        return self.report

    def _legacy_secrets(self) -> None:
        legacy = count_legacy(self.c)
        if legacy:
            self.report.warnings.append(
                f"{legacy} funcionário(s) ainda com PIN ou crachá no formato antigo (índice "
                "rápido: com a chave do terminal, adivinhável em segundos). Cada um passa ao "
                "formato novo na próxima marcação com PIN ou crachá; para apressar, troque o "
                "PIN deles."
            )

    def _fail(self, problem: str, nsr: int | None = None) -> None:
        self.report.ok = False
        if nsr is not None and self.report.first_bad_nsr is None:
            self.report.first_bad_nsr = nsr
        self.report.problems.append(problem)

    def _kiosks(self) -> list[str]:
        rows = self.c.execute(
            "SELECT kiosk_id FROM punches UNION SELECT kiosk_id FROM events ORDER BY 1"
        )
        return [r[0] for r in rows]

    def _records(self, kiosk: str) -> Iterator[tuple[int, str, sqlite3.Row]]:
        punches = (
            (r["nsr"], "punch", r)
            for r in self.c.execute(
                "SELECT * FROM punches WHERE kiosk_id = ? ORDER BY nsr", (kiosk,)
            )
        )
        events = (
            (r["nsr"], "event", r)
            for r in self.c.execute(
                "SELECT * FROM events WHERE kiosk_id = ? ORDER BY nsr", (kiosk,)
            )
        )
        return heapq.merge(punches, events, key=lambda t: t[0])

    def _kiosk(self, kiosk: str) -> int:
        """Walk one REP's records in NSR order; returns its last NSR."""
        prev, prev_afd, expected = GENESIS, None, 1
        broken = False
        for nsr, kind, row in list(self._records(kiosk)):
            if kind == "punch":
                self.report.punches += 1
                problem = self._punch(row, prev, prev_afd)
                prev_afd = row["afd_hash"]
            else:
                self.report.events += 1
                problem = self._event(row, prev)
            if nsr != expected:
                problem = f"NSR gap: expected {expected}" + (f"; {problem}" if problem else "")
            if problem and not broken:
                broken = True  # report the first bad record of each REP; the rest follow it
                self._fail(f"kiosk {kiosk} NSR {nsr}: {problem}", nsr)
            prev, expected = row["hash"], nsr + 1
        return expected - 1

    def _link_and_mac(self, row: sqlite3.Row, prev: str, body: dict, domain: str) -> str:
        if row["prev_hash"] != prev:
            return "link to the previous record does not match"
        if record_hash(prev, body) != row["hash"]:
            return "record hash does not match its fields (edited or damaged)"
        if not row["mac"]:
            return "record has no MAC (written or rewritten without the kiosk key)"
        if self.key.mac(domain, row["hash"]) != row["mac"]:
            return "MAC does not match (rewritten without the kiosk key)"
        return ""

    def _punch(self, row: sqlite3.Row, prev: str, prev_afd: str | None) -> str:
        problem = self._link_and_mac(row, prev, {k: row[k] for k in PUNCH_FIELDS}, "punch")
        if problem:
            return problem
        try:
            expected = punch_afd_hash(row, prev_afd)
        except (ValueError, TypeError) as exc:
            return f"unreadable AFD fields ({exc})"
        if expected != row["afd_hash"]:
            return "AFD hash does not match"
        return ""

    def _event(self, row: sqlite3.Row, prev: str) -> str:
        try:
            body = event_body(row)
        except ValueError as exc:
            return f"unreadable event fields ({exc})"
        if row["kind"] not in AFD_TYPES:
            return f"unknown event kind {row['kind']!r}"
        return self._link_and_mac(row, prev, body, "event")

    def _corrections(self) -> None:
        prev, expected = GENESIS, 1
        for row in self.c.execute("SELECT * FROM corrections ORDER BY seq"):
            self.report.corrections += 1
            fields = {k: row[k] for k in CORRECTION_FIELDS}
            problem = self._link_and_mac(row, prev, fields, "correction")
            if row["seq"] != expected:
                problem = f"sequence gap: expected {expected}"
            if problem:
                self._fail(f"correction {row['seq']}: {problem}")
            prev, expected = row["hash"], row["seq"] + 1

    def _employees(self) -> None:
        for row in self.c.execute("SELECT * FROM employees ORDER BY id"):
            if row["mac"] != employee_mac(self.key, row):
                self._fail(f"employee {row['id']} ({row['cpf']}): edited without the kiosk key")
        included = {
            json.loads(r[0]).get("cpf")
            for r in self.c.execute("SELECT fields FROM events WHERE kind = 'employee'")
        }
        present = {r[0] for r in self.c.execute("SELECT cpf FROM employees")}
        for cpf in sorted(c for c in included - present if c):
            self._fail(f"employee {cpf} has REP records but was deleted from the employees table")

    def _verdicts(self) -> None:
        for row in self.c.execute("SELECT * FROM cloud_verdicts"):
            fields = {k: row[k] for k in VERDICT_FIELDS}
            if row["mac"] != verdict_mac(self.key, fields):
                self._fail(f"cloud verdict of punch {row['punch_uuid']}: edited without the key")

    def _audio(self) -> None:
        rows = self.c.execute(
            "SELECT a.punch_uuid, a.data, p.audio_sha256, p.nsr FROM audio a"
            " JOIN punches p ON p.uuid = a.punch_uuid"
        )
        for row in rows:
            if hashlib.sha256(bytes(row["data"])).hexdigest() != row["audio_sha256"]:
                self._fail(f"audio of NSR {row['nsr']} does not match its recorded SHA-256")

    def _triggers(self) -> None:
        found = {
            r["name"]: " ".join(str(r["sql"]).split())
            for r in self.c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
        for name, sql in schema.triggers().items():
            if name not in found:
                self._fail(f"append-only trigger {name} was dropped")
            elif found[name] != sql:
                self._fail(f"append-only trigger {name} was replaced")

    def _highwater(self, last: dict[str, int]) -> None:
        state, problem = self.highwater.load()
        if problem:
            self._fail(problem)
        if state is None:
            return
        if state.ledger_id != self.ledger_id:
            self._fail(
                "this database is not the ledger this kiosk wrote (emptied or replaced): the "
                "high-water file belongs to another ledger id"
            )
        for kiosk, mark in sorted(state.marks.items()):
            have = last.get(kiosk, 0)
            if have < mark.nsr:
                self._fail(
                    f"kiosk {kiosk}: records NSR {have + 1}..{mark.nsr} are missing (the tail "
                    "was deleted or the database replaced)",
                    have + 1,
                )
                continue
            row = self._row_at(kiosk, mark.nsr)
            if row is None or row["mac"] != mark.mac:
                self._fail(f"kiosk {kiosk}: record NSR {mark.nsr} is not the one acknowledged")

    def _row_at(self, kiosk: str, nsr: int) -> sqlite3.Row | None:
        for table in ("punches", "events"):
            row = self.c.execute(
                f"SELECT mac FROM {table} WHERE kiosk_id = ? AND nsr = ?", (kiosk, nsr)
            ).fetchone()
            if row:
                return row
        return None
