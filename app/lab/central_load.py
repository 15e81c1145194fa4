"""Load tool for Central: N simulated kiosks, each a real SQLite ledger driven by the real
kiosk sync code (`app.sync.central.CentralSync`), pushing concurrently over real HTTP on
127.0.0.1 to a real Central (subprocess) on a real PostgreSQL. Optionally SIGKILLs Central and
restarts PostgreSQL (immediate mode: no checkpoint, like a crash) mid-run, then checks that
nothing was lost or duplicated and that every chain verified.

    python -m app central-load --kiosks 50 --punches 1000 [--crash-at 0.5] [--batch 100]

Setup (not timed): a throwaway cluster, enrollment codes, real `join` per kiosk, one employee
per kiosk added in Central and pulled down with the roster, then `punches` real
`Ledger.record_punch` calls per kiosk (with SQLite's fsync turned off for this preparation
only: it is not what is measured). Timed: from the first push until every kiosk is caught up.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from app.central import pgcluster
from app.lab.central_proc import CentralProcess


@dataclass(frozen=True)
class LoadOptions:
    kiosks: int = 50
    punches: int = 1000
    batch: int = 100
    crash_at: float = 0.0  # fraction of punches held when Central is killed (0: no crash)
    workers: int = 1
    rate: float = 0.0  # live mode: punches/s over all kiosks, each pushed as it happens;
    # 0 = backlog mode: every kiosk holds all its punches (offline) and pushes them at once


@dataclass
class LoadReport:
    kiosks: int
    punches: int
    batch: int
    rate: float = 0.0
    expected: int = 0
    held: int = 0
    distinct: int = 0
    missing: int = 0  # kiosk punches not in Central
    chain_bad: int = 0
    gaps: int = 0
    events: int = 0
    heads_ok: bool = False
    prep_s: float = 0.0
    seconds: float = 0.0
    punches_per_s: float = 0.0
    requests: int = 0
    retries: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    crash: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.held == self.distinct == self.expected
            and self.missing == 0 and self.chain_bad == 0 and self.gaps == 0
            and self.events == 0 and self.heads_ok and not self.errors
        )  # fmt: skip

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def run(
    options: LoadOptions, cluster: pgcluster.Cluster | None = None, work: Path | None = None
) -> LoadReport:
    """Run one load test; creates (and removes) its own cluster unless one is given."""
    own = cluster is None
    tmp = Path(tempfile.mkdtemp(prefix="pontovoz-load-"))
    tmp.chmod(0o755)
    if cluster is None:
        cluster = pgcluster.create(tmp / "pg")
    try:
        return _run(options, cluster, work or tmp / "kiosks")
    finally:
        if own:
            cluster.stop("immediate")
        shutil.rmtree(tmp, ignore_errors=True)


def _run(options: LoadOptions, cluster: pgcluster.Cluster, work: Path) -> LoadReport:
    from sqlalchemy import text

    from app.central import service
    from app.central.db import make_engine, migrate, session_factory, session_scope
    from app.store.ledger import Ledger
    from app.sync.central import CentralSection, CentralSync, join

    report = LoadReport(options.kiosks, options.punches, options.batch, options.rate)
    report.expected = options.kiosks * options.punches
    migrate(cluster.url)
    engine = make_engine(cluster.url, pool_size=2)
    sessions = session_factory(engine)
    with engine.begin() as conn:
        tables = ("punch_audio, central_verdicts, kiosk_events, punches, rep_events,"
                  " employee_kiosks, employees, enrollment_codes, kiosks")  # fmt: skip
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    server = CentralProcess(cluster.url, workers=options.workers)
    server.start()
    started = time.perf_counter()
    syncs: list[CentralSync] = []
    ledgers: list[Ledger] = []
    try:
        with session_scope(sessions) as s:
            codes = [service.create_code(s, f"carga {i}") for i in range(options.kiosks)]
            for i in range(options.kiosks):
                service.add_employee(s, f"Pessoa {i:03d}", _cpf(i), _pin(i))
        for i, code in enumerate(codes):
            home = work / f"k{i:03d}"
            settings_file = home / "settings.json"
            section = join(server.url, code, f"carga {i}", settings_file=settings_file,
                           ledger_path=home / "ledger.sqlite3")  # fmt: skip
            ledger = Ledger.open(home / "ledger.sqlite3")
            ledger._conn.execute("PRAGMA synchronous=OFF")  # preparation only, see docstring
            section = CentralSection(url=section.url, token=section.token, kiosk=section.kiosk,
                                     batch_size=options.batch)  # fmt: skip
            sync = CentralSync(ledger, section, save_status=False)
            sync.pull_roster()
            if not options.rate:
                _punch(ledger, _pin(i), options.punches)
            ledgers.append(ledger)
            syncs.append(sync)
        report.prep_s = round(time.perf_counter() - started, 1)
        latencies: list[float] = []
        counter = _Counter(options.crash_at * report.expected)
        _time_pushes(syncs, [] if options.rate else latencies, counter)  # before _Live wraps
        crash = threading.Thread(
            target=_crash_when, args=(options, report, server, cluster, engine, counter),
            daemon=True,
        )  # fmt: skip
        t0 = time.perf_counter()
        if options.crash_at > 0:
            crash.start()
        if options.rate:
            per_kiosk = options.rate / options.kiosks
            threads = []
            for i, sync in enumerate(syncs):
                live = _Live(sync, ledgers[i], _pin(i), options.punches, per_kiosk, t0)
                threads += [
                    threading.Thread(target=live.produce, daemon=True),
                    threading.Thread(target=live.push, args=(report, latencies), daemon=True),
                ]
        else:
            threads = [
                threading.Thread(target=_kiosk_loop, args=(sync, report), daemon=True)
                for sync in syncs
            ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counter.done.set()
        report.seconds = round(time.perf_counter() - t0, 2)
        if crash.is_alive():
            crash.join()
        report.punches_per_s = round(report.expected / report.seconds, 1)
        report.requests = counter.requests
        if latencies:
            q = statistics.quantiles(latencies, n=100, method="inclusive")
            report.p50_ms, report.p95_ms, report.p99_ms = (round(q[i], 1) for i in (49, 94, 98))
            report.max_ms = round(max(latencies), 1)
        _check(report, engine, ledgers, syncs, options.punches)
    finally:
        for sync in syncs:
            sync.stop()
        for ledger in ledgers:
            ledger.close()
        server.stop()
        engine.dispose()
    return report


class _Counter:
    def __init__(self, target: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.accepted = 0
        self.requests = 0
        self.target = target
        self.done = threading.Event()
        self.reached = threading.Event()  # set by the answer that crosses ``target``

    def add(self, n: int) -> None:
        with self.lock:
            self.accepted += n
            if self.target and self.accepted >= self.target:
                self.reached.set()


def _kiosk_loop(sync, report: LoadReport) -> None:
    from app.sync.central import CentralRejected, CentralUnavailable

    rng = random.Random()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if sync.run_once().pending == 0:
                return
        except CentralUnavailable:
            report.retries += 1
            time.sleep(0.2 + 0.3 * rng.random())  # the kiosk's backoff, shortened for the test
        except CentralRejected as exc:
            report.errors.append(str(exc))
            return
    report.errors.append(f"kiosk {sync.section.kiosk}: not caught up after 600 s")


class _Live:
    """Live mode for one kiosk: punches at a steady rate; its sync thread pushes whatever is
    pending as soon as a punch lands (as the kiosk's worker does on wake()), so batches grow
    by themselves when Central is slow. Latency = punch recorded -> Central's answer holding it.
    """

    def __init__(self, sync, ledger, pin: str, count: int, rate: float, t0: float) -> None:
        self.sync, self.ledger, self.count, self.rate, self.t0 = sync, ledger, count, rate, t0
        self.employee = ledger.find_by_pin(pin)
        self.recorded: dict[int, float] = {}
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.phase = random.random() / rate

    def produce(self) -> None:
        start = datetime.now().astimezone() - timedelta(days=self.count // 4 + 1)
        for n in range(self.count):
            delay = self.t0 + self.phase + n / self.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with self.lock:  # the pusher reads `recorded` under it: no ack before the time
                t = time.perf_counter()
                punch = self.ledger.record_punch(_draft(self.employee.id, n, start))
                self.recorded[punch.nsr] = t
            self.wake.set()

    def push(self, report: LoadReport, latencies: list[float]) -> None:
        from app.sync.central import CentralRejected, CentralUnavailable

        self.acked = self.acked_nsr = 0
        client, original = self.sync._client, self.sync._client.call

        def acking(method, path, **kw):  # each answer to a POST holds punches up to its head
            resp = original(method, path, **kw)
            if path == "/api/v1/punches":
                head, now = int(resp.json()["head_nsr"]), time.perf_counter()
                with self.lock:
                    pass  # a punch committed but not yet timed finishes being timed
                for nsr in range(self.acked_nsr + 1, head + 1):
                    if nsr in self.recorded:  # events (the roster's) have no punch time
                        latencies.append((now - self.recorded[nsr]) * 1000)
                        self.acked += 1
                self.acked_nsr = max(self.acked_nsr, head)
            return resp

        client.call = acking
        rng = random.Random()
        deadline = time.monotonic() + 900
        while self.acked < self.count and time.monotonic() < deadline:
            self.wake.wait(0.5)
            self.wake.clear()
            try:
                self.sync.push()
            except CentralUnavailable:
                self.sync._central_head = None
                report.retries += 1
                time.sleep(0.2 + 0.3 * rng.random())
            except CentralRejected as exc:
                report.errors.append(str(exc))
                return
        if self.acked < self.count:
            report.errors.append(f"kiosk {self.sync.section.kiosk}: {self.acked}/{self.count}")


def _time_pushes(syncs, latencies: list[float], counter: _Counter) -> None:
    """Record how long each POST of punches takes (until its answer: durably held)."""
    for sync in syncs:
        client = sync._client
        original = client.call

        def timed(method, path, _orig=original, **kw):
            t = time.perf_counter()
            resp = _orig(method, path, **kw)
            if path == "/api/v1/punches":
                latencies.append((time.perf_counter() - t) * 1000)
                counter.add(resp.json()["accepted"])
                counter.requests += 1
            return resp

        client.call = timed


def _crash_when(options, report, server, cluster, engine, counter: _Counter) -> None:
    while not counter.done.is_set() and not counter.reached.wait(0.01):
        pass
    if not counter.reached.is_set():
        report.crash = "not reached"
        return
    t = time.perf_counter()
    server.kill()
    cluster.restart("immediate")
    server.start()
    report.crash = (
        f"Central SIGKILL + PostgreSQL restart (immediate) after {counter.accepted} accepted;"
        f" back in {time.perf_counter() - t:.1f} s"
    )


def _check(report: LoadReport, engine, ledgers, syncs, punches: int) -> None:
    from sqlalchemy import text

    from app.store.roster import head, punches_after

    engine.dispose()  # PostgreSQL may have restarted: no pooled connection survives that
    with engine.connect() as conn:
        report.held = conn.execute(text("SELECT count(*) FROM punches")).scalar() or 0
        report.distinct = (
            conn.execute(text("SELECT count(DISTINCT uuid) FROM punches")).scalar() or 0
        )
        report.chain_bad = (
            conn.execute(text("SELECT count(*) FROM punches WHERE NOT chain_ok")).scalar() or 0
        )
        report.events = conn.execute(text("SELECT count(*) FROM kiosk_events")).scalar() or 0
        bad_events = text("SELECT count(*) FROM rep_events WHERE NOT chain_ok")
        report.chain_bad += conn.execute(bad_events).scalar() or 0
        heads = dict(conn.execute(text("SELECT id, head_nsr FROM kiosks")).all())
        report.gaps = conn.execute(text(
            "SELECT count(*) FROM (SELECT nsr, lag(nsr) OVER (PARTITION BY kiosk_id ORDER BY nsr)"
            " AS prev FROM (SELECT kiosk_id, nsr FROM punches UNION ALL"
            " SELECT kiosk_id, nsr FROM rep_events) a) s WHERE prev IS NOT NULL AND nsr <> prev + 1"
        )).scalar() or 0  # fmt: skip
        held = {(k, u) for k, u in conn.execute(text("SELECT kiosk_id, uuid FROM punches")).all()}
    report.heads_ok = len(heads) == len(ledgers)
    for ledger, sync in zip(ledgers, syncs, strict=True):
        mine = {(sync.section.kiosk, p.uuid) for p in punches_after(ledger, 0, punches + 10)}
        report.missing += len(mine - held)
        report.heads_ok &= heads.get(sync.section.kiosk) == head(ledger).nsr


def _cpf(i: int) -> str:
    """A valid CPF derived from i (check digits computed)."""
    base = f"{100000000 + i * 7919:09d}"[-9:]
    digits = [int(c) for c in base]
    for _ in range(2):
        total = sum(d * w for d, w in zip(digits, range(len(digits) + 1, 1, -1), strict=True))
        rest = total % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


def _punch(ledger, pin: str, count: int) -> None:
    employee = ledger.find_by_pin(pin)
    if employee is None:
        raise RuntimeError(f"the roster did not bring PIN {pin}")
    start = datetime.now().astimezone() - timedelta(days=count // 4 + 1)
    for n in range(count):
        ledger.record_punch(_draft(employee.id, n, start))


def _draft(employee_id: int, n: int, start: datetime):
    from app.store.models import PunchDraft

    at = start + timedelta(days=n // 4, hours=8 + 2 * (n % 4))
    kind = ("ENTRADA", "INTERVALO", "RETORNO", "SAIDA")[n % 4]
    return PunchDraft(
        employee_id, kind, f"{kind} {at.hour} {at.minute:02d}",
        transcript=f"{kind.title()}, {at.hour} horas.", validated=True, tries=1,
        method="text", punched_at=at,
    )  # fmt: skip


def format_report(r: LoadReport) -> str:
    mode = f"ao vivo, {r.rate:g}/s ofertadas" if r.rate else f"acumuladas, lote {r.batch}"
    lines = [
        f"{r.kiosks} quiosques x {r.punches} marcações ({mode}): {'OK' if r.ok else 'FALHOU'}",
        f"  recebidas {r.held}/{r.expected}, distintas {r.distinct}, faltando {r.missing},"
        f" cadeia inválida {r.chain_bad}, lacunas {r.gaps}, eventos {r.events}",
        f"  {r.seconds} s, {r.punches_per_s} marcações/s, {r.requests} envios,"
        f" latência {'marcação→Central' if r.rate else 'por envio'} p50 {r.p50_ms} ms,"
        f" p95 {r.p95_ms} ms, p99 {r.p99_ms} ms, máx {r.max_ms} ms",
        f"  novas tentativas {r.retries}; preparo {r.prep_s} s",
    ]
    if r.crash:
        lines.append(f"  falha: {r.crash}")
    lines += [f"  erro: {e}" for e in r.errors[:5]]
    return "\n".join(lines)


def _pin(i: int) -> str:
    """A distinct PIN per seeded employee that Central's PIN policy accepts (no 1111, 1234...)."""
    return f"{271828 + 7 * i}"
