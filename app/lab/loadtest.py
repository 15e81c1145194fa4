"""A bounded load test of the Speech API (httpx, asyncio), or the core's own ceiling.

    python -m app.lab.loadtest --spawn --duration 60 --concurrency 8
    python -m app.lab.loadtest --url http://127.0.0.1:8080 --pid 1234
    python -m app.lab.loadtest --ceiling 60      # the verifier alone, in this process

Clips default to synthetic 2-4 s pt-BR phrases (RHVoice, cached); ``--clip PATH=PHRASE`` adds
your own. Prints throughput, latency p50/p95, errors, the server's core time (Server-Timing)
and its overhead beyond the core, and the server's RSS after warm-up and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CLIPS = {
    "ENTRADA 13 40": "Entrada, treze e quarenta.",
    "SAIDA 17 05": "Saída, dezessete e cinco.",
    "INTERVALO 12 30": "Intervalo, doze e trinta.",
    "RETORNO 13 15": "Retorno, treze e quinze.",
    "ENTRADA 08 00": "Entrada, oito horas.",
}
CLIP_RATE = 70  # slower speech: these phrases last 2.5-3.5 s, like a worker at a kiosk
_CORE = re.compile(r"core;dur=([\d.]+)")


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    core: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # no HTTP answer (connection error, timeout)
    validated: int = 0

    def record(self, status: int, seconds: float, core: float | None, ok: bool) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(seconds)
        if core is not None:
            self.core.append(core)
        self.validated += ok


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_clips(specs: list[str]) -> list[tuple[str, str]]:
    """[(phrase, base64 audio)], from --clip PATH=PHRASE or the default synthetic set."""
    clips: list[tuple[str, str]] = []
    for spec in specs:
        path, _, phrase = spec.rpartition("=")
        if not path:
            raise SystemExit(f"--clip needs PATH=PHRASE, got {spec!r}")
        clips.append((phrase, base64.b64encode(Path(path).read_bytes()).decode()))
    if not clips:
        from app import paths
        from app.lab import corpus

        cache = paths.cache_dir() / "loadtest-clips"
        for phrase, text in DEFAULT_CLIPS.items():
            data = corpus.cached_clip(cache, text, rate=CLIP_RATE).read_bytes()
            clips.append((phrase, base64.b64encode(data).decode()))
    return clips


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    if not pid:
        return None
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs) / 1e6
    except psutil.Error:
        return None


async def _worker(client, url: str, clips, stop_at: float, stats: Stats, offset: int) -> None:
    i = offset
    while time.monotonic() < stop_at:
        phrase, audio = clips[i % len(clips)]
        i += 1
        body = json.dumps({"expected_speech": phrase, "audio": audio})
        start = time.perf_counter()
        try:
            r = await client.post(url, content=body)
        except Exception:  # any transport failure (refused, reset, timeout) is an error
            stats.failures += 1
            continue
        seconds = time.perf_counter() - start
        m = _CORE.search(r.headers.get("server-timing", ""))
        ok = r.status_code == 200 and b'"validated":true' in r.content
        stats.record(r.status_code, seconds, float(m.group(1)) / 1000 if m else None, ok)


async def _phase(url: str, clips, seconds: float, concurrency: int) -> Stats:
    import httpx

    stats = Stats()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=httpx.Timeout(120.0), limits=limits) as client:
        stop_at = time.monotonic() + seconds
        workers = [_worker(client, url, clips, stop_at, stats, k) for k in range(concurrency)]
        await asyncio.wait_for(asyncio.gather(*workers), seconds + 180)
    return stats


def run_load(
    url: str, clips, duration: float, concurrency: int, warmup: float, pid: int | None
) -> dict:
    if warmup > 0:
        asyncio.run(_phase(url, clips, warmup, concurrency))
    rss_warm = rss_mb(pid)
    start = time.monotonic()
    stats = asyncio.run(_phase(url, clips, duration, concurrency))
    elapsed = time.monotonic() - start
    rss_end = rss_mb(pid)
    count = len(stats.latencies)
    overhead = [lat - core for lat, core in zip(stats.latencies, stats.core, strict=False)]
    errors = stats.failures + sum(n for s, n in stats.statuses.items() if s != 200)
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "requests": count,
        "throughput_rps": round(count / elapsed, 3) if elapsed else 0.0,
        "p50_ms": round(percentile(stats.latencies, 0.5) * 1000, 1),
        "p95_ms": round(percentile(stats.latencies, 0.95) * 1000, 1),
        "max_ms": round(max(stats.latencies, default=float("nan")) * 1000, 1),
        "core_p50_ms": round(percentile(stats.core, 0.5) * 1000, 1),
        "latency_minus_core_p50_ms": round(percentile(overhead, 0.5) * 1000, 1),
        "errors": errors,
        "server_errors_5xx": sum(n for s, n in stats.statuses.items() if s >= 500),
        "no_answer": stats.failures,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "validated": stats.validated,
        "rss_after_warmup_mb": round(rss_warm, 1) if rss_warm else None,
        "rss_end_mb": round(rss_end, 1) if rss_end else None,
        "rss_change_pct": round(100 * (rss_end - rss_warm) / rss_warm, 1)
        if rss_warm and rss_end
        else None,
    }


def run_ceiling(clips, seconds: float) -> dict:
    """The verifier alone, sequentially, in this process: the single-process ceiling."""
    from app.core.verifier import Verifier

    t0 = time.perf_counter()
    verifier = Verifier()
    verifier.load()
    load_s = time.perf_counter() - t0
    audio = [(p, base64.b64decode(a)) for p, a in clips]
    for phrase, data in audio:  # warm-up
        verifier.verify(data, phrase)
    times: list[float] = []
    validated = 0
    stop_at = time.monotonic() + seconds
    i = 0
    while time.monotonic() < stop_at:
        phrase, data = audio[i % len(audio)]
        i += 1
        start = time.perf_counter()
        validated += verifier.verify(data, phrase).validated
        times.append(time.perf_counter() - start)
    return {
        "mode": "core ceiling (in-process, sequential)",
        "load_s": round(load_s, 2),
        "verifications": len(times),
        "throughput_rps": round(len(times) / sum(times), 3),
        "p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
        "validated": validated,
        "cpu_threads": verifier.options.cpu_threads,
        "num_workers": verifier.options.num_workers,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn_server(extra: list[str]) -> tuple[subprocess.Popen, str]:
    import httpx

    port = _free_port()
    cmd = [sys.executable, "-m", "app", "serve", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen([*cmd, *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not become healthy within 120 s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m app.lab.loadtest", description=__doc__.split("\n")[0]
    )
    p.add_argument("--url", default="http://127.0.0.1:8080", help="server base URL")
    p.add_argument("--spawn", action="store_true", help="start `python -m app serve` and test it")
    p.add_argument("--serve-arg", action="append", default=[], help="extra flag for --spawn")
    p.add_argument("--pid", type=int, help="server process id, for RSS (set by --spawn)")
    p.add_argument("--duration", type=float, default=60.0, help="measured seconds (default 60)")
    p.add_argument("--warmup", type=float, default=10.0, help="unmeasured seconds first")
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    p.add_argument("--clip", action="append", default=[], help="PATH=PHRASE (repeatable)")
    p.add_argument("--ceiling", type=float, metavar="SECONDS", help="measure the core alone")
    p.add_argument("--json", action="store_true", help="print one JSON object only")
    args = p.parse_args(argv)
    if not 0 < args.duration <= 3600 or not 1 <= args.concurrency <= 256:
        raise SystemExit("--duration must be in (0, 3600] and --concurrency in [1, 256]")

    clips = load_clips(args.clip)
    if args.ceiling:
        result = run_ceiling(clips, args.ceiling)
    else:
        proc = None
        url, pid = args.url.rstrip("/"), args.pid
        if args.spawn:
            proc, url = spawn_server(args.serve_arg)
            pid = proc.pid
        try:
            result = run_load(url + "/", clips, args.duration, args.concurrency, args.warmup, pid)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    return 0 if result.get("errors", 0) == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
