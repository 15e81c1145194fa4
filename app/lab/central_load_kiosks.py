"""The simulated kiosks of a Central load run: their seed data (a valid CPF and an accepted PIN
per kiosk, a day's four punches), and how each one pushes: a backlog synced until caught up, or
live punches at a steady rate pushed as they land. Every POST of punches is timed."""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timedelta

from app.lab.central_load_report import LoadReport


class Counter:
    """Answers to punch uploads over all kiosks; ``reached`` once ``target`` were accepted."""

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


def kiosk_loop(sync, report: LoadReport) -> None:
    """Backlog mode: one kiosk syncs until Central holds everything it has."""
    from app.sync.central_client import CentralRejected, CentralUnavailable

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


class Live:
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
                punch = self.ledger.record_punch(draft(self.employee.id, n, start))
                self.recorded[punch.nsr] = t
            self.wake.set()

    def push(self, report: LoadReport, latencies: list[float]) -> None:
        from app.sync.central_client import CentralRejected, CentralUnavailable

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


def time_pushes(syncs, latencies: list[float], counter: Counter) -> None:
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


def cpf_for(i: int) -> str:
    """A valid CPF derived from i (check digits computed)."""
    base = f"{100000000 + i * 7919:09d}"[-9:]
    digits = [int(c) for c in base]
    for _ in range(2):
        total = sum(d * w for d, w in zip(digits, range(len(digits) + 1, 1, -1), strict=True))
        rest = total % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


def punch_backlog(ledger, pin: str, count: int) -> None:
    employee = ledger.find_by_pin(pin)
    if employee is None:
        raise RuntimeError(f"the roster did not bring PIN {pin}")
    start = datetime.now().astimezone() - timedelta(days=count // 4 + 1)
    for n in range(count):
        ledger.record_punch(draft(employee.id, n, start))


def draft(employee_id: int, n: int, start: datetime):
    from app.store.models import PunchDraft

    at = start + timedelta(days=n // 4, hours=8 + 2 * (n % 4))
    kind = ("ENTRADA", "INTERVALO", "RETORNO", "SAIDA")[n % 4]
    return PunchDraft(
        employee_id, kind, f"{kind} {at.hour} {at.minute:02d}",
        transcript=f"{kind.title()}, {at.hour} horas.", validated=True, tries=1,
        method="text", punched_at=at,
    )  # fmt: skip


def pin_for(i: int) -> str:
    """A distinct PIN per seeded employee that Central's PIN policy accepts (no 1111, 1234...)."""
    return f"{271828 + 7 * i}"
