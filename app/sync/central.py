"""The kiosk's sync with PontoVoz Central: roster down and punches up through the same ledger.

    join(url, code, name)                  # once (app.sync.central_join): credential + pepper
    sync = CentralSync(ledger, CentralSection.load())
    sync.run_once() -> CentralPass         # roster (ETag), then every punch after Central's head
    sync.start() / wake() / stop()         # background thread, like app.sync.SyncWorker

The outbox for Central is the ledger itself: Central answers its head (the last NSR it holds
without a gap) on every exchange and the kiosk sends what follows, in NSR order: punches and
the REP events (employer, employee, clock, sensitive) that share their NSR sequence and
chain. Nothing is marked "sent" on the kiosk, so a crash, a lost answer or a restored Central
all end the same way: the next pass resends from Central's head, and Central keeps each uuid
once. Audio goes up only where audio retention is on. Status (offset to Central's clock,
heads, last error) is written to the ``central`` section of settings.json
(`app.sync.central_settings`); the HTTP calls and their errors are `app.sync.central_client`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from app.core.errors import ConfigError, PontoVozError
from app.store import alerts as ledger_alerts
from app.store import roster as ledger_roster
from app.store.ledger import Ledger
from app.sync.background import BackgroundWorker, backoff_s
from app.sync.central_client import CentralClient, CentralRejected, KioskIdChanged
from app.sync.central_settings import CentralSection

log = logging.getLogger(__name__)
ANCHOR_BATCH = 500  # heads per anchors call; a longer offline backlog goes up over a few passes


@dataclass(frozen=True)
class CentralPass:
    pushed: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    roster_changed: bool = False
    central_head_nsr: int = 0
    kiosk_head_nsr: int = 0
    gaps: list[list[int]] = field(default_factory=list)
    error: str = ""
    quarantined: int = 0  # records of this pass Central refused to hold (do not chain)
    divergences: list[str] = field(default_factory=list)  # pt-BR, one per NSR

    @property
    def pending(self) -> int:
        return max(0, self.kiosk_head_nsr - self.central_head_nsr)

    @property
    def problems(self) -> list[str]:
        """What makes this pass a failure although Central answered (pt-BR)."""
        out = list(self.divergences)
        if self.conflicts and not self.divergences:
            out.append(f"a Central recusou {self.conflicts} registro(s) em conflito")
        if self.quarantined and not self.divergences:
            out.append(f"a Central pôs {self.quarantined} registro(s) em quarentena")
        return out


def divergence_lines(
    ledger: Ledger, central_nsr: int, central_hash: str, quarantined: list[dict[str, Any]]
) -> list[str]:
    """Compare Central's hashes at this kiosk's NSRs with the ledger's: its head, and each
    record it quarantined under this kiosk's credential. Empty when they agree."""
    out = []
    mine = ledger_roster.head(ledger)
    if central_nsr > mine.nsr:
        out.append(
            f"a Central guarda registros até o NSR {central_nsr}, mas este terminal só tem até o"
            f" NSR {mine.nsr} (livro restaurado de cópia antiga, ou registros enviados por"
            " outro com a credencial deste terminal)"
        )
    elif central_nsr > 0:
        own = ledger_roster.hash_at(ledger, central_nsr)
        if own != central_hash:
            out.append(
                f"NSR {central_nsr}: a Central guarda o hash {central_hash[:16]}, este terminal"
                f" tem {(own or 'nenhum registro')[:16]}"
            )
    for d in quarantined:
        nsr, theirs = int(d["nsr"]), str(d["hash"])
        own = ledger_roster.hash_at(ledger, nsr)
        if own == theirs:
            out.append(f"NSR {nsr}: a Central recusou o registro deste terminal ({d['problem']})")
        else:
            out.append(
                f"NSR {nsr}: a Central recebeu com a credencial deste terminal um registro que"
                f" não é dele (hash {theirs[:16]}; o deste terminal é"
                f" {(own or 'inexistente')[:16]}): possível uso indevido da credencial"
            )
    return out


class CentralSync(BackgroundWorker):
    thread_name = "pontovoz-central"

    def __init__(
        self,
        ledger: Ledger,
        section: CentralSection,
        *,
        settings_file: Path | None = None,
        client: CentralClient | None = None,
        wall: Callable[[], float] = time.time,
        save_status: bool = True,
    ) -> None:
        super().__init__()
        if not section.enabled:
            raise ConfigError("este quiosque não está ligado a uma Central (central join)")
        self._ledger = ledger
        self.section = section
        self._settings_file = settings_file
        self._client = client or CentralClient(section.url, section.token, section.timeout_s)
        self._wall = wall
        self._save = save_status
        self._rng = random.Random()
        self._failures = 0
        self._send_audio = ledger.settings.audio_retention_days > 0
        # with audio (~200 KB a clip in base64) smaller batches keep each request a few MB
        self._batch = min(20, section.batch_size) if self._send_audio else section.batch_size
        self.last: CentralPass = CentralPass()
        self._central_head: int | None = None  # Central's head from its last answer
        self._roster_due = 0.0  # the roster is pulled at most every poll_interval_s
        self._anchor_sent = False  # the head goes up at least once per run of the kiosk

    def push_employees(self) -> bool:
        """Send this kiosk's employees up (matched by CPF in Central) when the list changed since
        Central last took it: always before the first roster comes down, so a join merges the
        two lists instead of erasing the kiosk's. True when sent."""
        people = ledger_roster.local_employees(self._ledger)
        body = {"employees": [asdict(p) for p in people]}
        mark = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
        if mark == self.section.employees_sent:
            return False
        out = self._call("POST", "/api/v1/employees", json=body).json()
        log.info("central: %s employee(s) sent, %s new in Central", len(people), out["created"])
        self.section = replace(self.section, employees_sent=mark)
        return True

    def pull_roster(self) -> bool:
        """Send our employees up if they changed, then fetch the roster unless unchanged (ETag)
        and merge it. True when it changed."""
        self.push_employees()
        headers = (
            {"If-None-Match": f'"{self.section.roster_version}"'}
            if self.section.roster_version
            else {}
        )
        resp = self._call("GET", "/api/v1/roster", headers=headers)
        if resp.status_code == 304:
            return False
        data = resp.json()
        entries = [ledger_roster.RosterEntry(**e) for e in data["employees"]]
        applied = ledger_roster.apply_roster(self._ledger, entries)
        log.info("central: roster %s applied (%s)", data["version"], applied)
        self.section = replace(self.section, roster_version=data["version"])
        return True

    def check_identity(self, registered: str = "") -> None:
        """Refuse to send when this ledger's kiosk_id is not the one this kiosk joined with
        (``registered``: what Central says it enrolled, for kiosks joined before we kept it)."""
        mine = self._ledger.settings.kiosk_id
        joined = self.section.ledger_kiosk_id or registered
        if joined and mine != joined:
            raise KioskIdChanged(
                f"o código deste terminal (kiosk_id) mudou de {joined!r} para {mine!r} depois da"
                " ligação à Central: nada foi enviado. Para usar o código novo, cadastre o"
                " terminal de novo (central join com um código novo: a Central o trata como outro"
                f" REP); ou volte o kiosk_id para {joined!r}"
            )

    def anchor(self) -> bool:
        """Send Central this ledger's head, the head after each record since the last one it
        took (queued while offline), the key fingerprint and the unsent security alerts, so the
        ledger is anchored outside this box. Skipped when nothing changed. True when sent."""
        nsr, digest = ledger_alerts.ledger_head(self._ledger)
        key = ledger_alerts.key_fingerprint(self._ledger)
        pending = ledger_alerts.unsent_alerts(self._ledger, 100)
        s = self.section
        same = (nsr, digest, key) == (s.anchored_nsr, s.anchored_hash, s.anchored_key)
        if same and not pending and self._anchor_sent:
            return False
        since = min(s.anchored_nsr, nsr)
        heads = [
            (w.nsr, str(w.body["hash"]))
            for w in ledger_roster.records_after(self._ledger, since, ANCHOR_BATCH)
        ]
        body = {
            "head": {"nsr": nsr, "hash": digest},
            "heads": [{"nsr": n, "hash": h} for n, h in heads],
            "key_fingerprint": key,
            "alerts": [
                {"id": a.id, "at": a.at[:40], "kind": a.kind[:64], "detail": a.detail[:2000]}
                for a in pending
            ],
        }
        try:
            out = self._call("POST", "/api/v1/anchors", json=body).json()
        except CentralRejected as exc:  # e.g. a Central older than anchors (404)
            log.warning("central: head not anchored: %s", exc)  # punches still go up
            return False
        held = {int(i) for i in out.get("alert_ids", [])}
        ledger_alerts.mark_alerts_sent(self._ledger, [a.id for a in pending if a.id in held])
        last, last_hash = heads[-1] if heads else (nsr, digest)
        self._anchor_sent = last >= nsr  # a longer backlog goes on in the next pass
        self.section = replace(
            s, anchored_nsr=last, anchored_key=key,
            anchored_hash=digest if last >= nsr else last_hash,
        )  # fmt: skip
        return True

    def push(self) -> CentralPass:
        """Compare Central's hashes at this kiosk's NSRs with the ledger's, then send every
        record after Central's head, batch by batch, until caught up. A divergent head stops
        the upload (it would only make conflicts); the pass reports it either way."""
        data = self._call("GET", "/api/v1/head").json()
        self.check_identity(str(data.get("ledger_kiosk_id") or ""))
        central_head, gaps = int(data["head_nsr"]), data.get("gaps", [])
        self._central_head = central_head
        diverged = divergence_lines(self._ledger, central_head, data["head_hash"], [])
        quarantine = data.get("divergences", [])
        pushed = accepted = dups = conflicts = quarantined = 0
        while not self._stop.is_set() and not diverged:
            batch = ledger_roster.records_after(self._ledger, central_head, self._batch)
            if not batch:
                break
            mine = ledger_roster.head(self._ledger)
            body = {
                "head": {"nsr": mine.nsr, "hash": mine.hash},
                "punches": [self._wire(w) for w in batch if w.kind == "punch"],
                "events": [w.body for w in batch if w.kind == "event"],
            }
            out = self._call("POST", "/api/v1/punches", json=body).json()
            pushed += len(batch)
            accepted, dups = accepted + out["accepted"], dups + out["duplicates"]
            conflicts += out["conflicts"]
            quarantined += int(out.get("quarantined", 0))
            gaps, quarantine = out["gaps"], out.get("divergences", [])
            moved = int(out["head_nsr"]) > central_head
            central_head = self._central_head = int(out["head_nsr"])
            if not moved:
                break  # Central could not move on (conflict/gap): stop; it shows the problem
            diverged = divergence_lines(self._ledger, central_head, out["head_hash"], [])
        if not diverged:
            diverged = divergence_lines(self._ledger, 0, "", quarantine)
        mine = ledger_roster.head(self._ledger)
        return CentralPass(
            pushed, accepted, dups, conflicts, False, central_head, mine.nsr, gaps,
            quarantined=quarantined, divergences=diverged,
        )  # fmt: skip

    def _wire(self, w: ledger_roster.WireRecord) -> dict[str, object]:
        d = dict(w.body)
        if self._send_audio and w.audio_sha256:
            audio = self._ledger.audio_for(w.uuid)
            if audio:
                d["audio"] = base64.b64encode(audio).decode("ascii")
        return d

    def run_once(self) -> CentralPass:
        """Roster down (when due), then punches up; status saved either way. Raises
        CentralUnavailable / CentralRejected (the caller backs off); the ledger is untouched."""
        try:
            self.check_identity()
            self.anchor()
            changed = False
            if self._wall() >= self._roster_due:
                changed = self.pull_roster()
                self._roster_due = self._wall() + self.section.poll_interval_s
            result = replace(self.push(), roster_changed=changed)
        except PontoVozError as exc:
            self._central_head = None  # ask Central again next time
            self._note(last_error=str(exc))
            raise
        self._failures = 0
        problem = "; ".join(result.problems)
        self._note(
            last_error=problem,
            problem=problem,
            central_head_nsr=result.central_head_nsr,
            last_sync_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self.last = result
        return result

    def _note(self, **changes: Any) -> None:
        section = replace(self.section, clock_offset_s=self._client.offset_s, **changes)
        if self._save:  # on disk first: whoever sees the new status in memory finds it there
            section.save(self._settings_file)
        self.section = section

    def pending_count(self) -> int:
        return max(0, ledger_roster.head(self._ledger).nsr - self.section.central_head_nsr)

    def queue_now(self) -> int:
        """Records (punches and REP events) not yet held by Central, as far as this kiosk
        knows: Central's head from its last answer in this pass, else the saved one."""
        central = self._central_head
        if central is None:
            central = self.section.central_head_nsr
        return max(0, ledger_roster.head(self._ledger).nsr - central)

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """Every call to Central reports the queue as it is just before the call."""
        return self._client.call(method, path, queue=self.queue_now(), **kw)

    # ---- background thread --------------------------------------------------------------

    def backoff_s(self) -> float:
        return backoff_s(self._failures, 1.0, 300.0, self._rng)

    def _close(self) -> None:
        self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = self.section.poll_interval_s
            try:
                self.run_once()
            except CentralRejected as exc:  # revoked or refused: slow down, keep punches
                log.warning("central: %s", exc)
                wait = 300.0
            except Exception as exc:  # keep the kiosk's thread alive; punches stay in the ledger
                self._failures += 1
                wait = self.backoff_s()
                log.info("central: %s; retry in %.1f s", exc, wait)
            self._wake.wait(wait)
            self._wake.clear()
