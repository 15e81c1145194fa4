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

import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from app.central import pgcluster
from app.lab.central_load_kiosks import (
    Counter,
    Live,
    cpf_for,
    kiosk_loop,
    pin_for,
    punch_backlog,
    time_pushes,
)
from app.lab.central_load_report import LoadReport, check_held
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
    from app.sync.central import CentralSync
    from app.sync.central_join import join
    from app.sync.central_settings import CentralSection

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
                service.add_employee(s, f"Pessoa {i:03d}", cpf_for(i), pin_for(i))
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
                punch_backlog(ledger, pin_for(i), options.punches)
            ledgers.append(ledger)
            syncs.append(sync)
        report.prep_s = round(time.perf_counter() - started, 1)
        latencies: list[float] = []
        counter = Counter(options.crash_at * report.expected)
        time_pushes(syncs, [] if options.rate else latencies, counter)  # before Live wraps
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
                live = Live(sync, ledgers[i], pin_for(i), options.punches, per_kiosk, t0)
                threads += [
                    threading.Thread(target=live.produce, daemon=True),
                    threading.Thread(target=live.push, args=(report, latencies), daemon=True),
                ]
        else:
            threads = [
                threading.Thread(target=kiosk_loop, args=(sync, report), daemon=True)
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
        check_held(report, engine, ledgers, syncs, options.punches)
    finally:
        for sync in syncs:
            sync.stop()
        for ledger in ledgers:
            ledger.close()
        server.stop()
        engine.dispose()
    return report


def _crash_when(options, report, server, cluster, engine, counter: Counter) -> None:
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
