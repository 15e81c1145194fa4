"""`python -m app serve` as a real process, and a short smoke run of the load test script.
(The full 60 s load test is run by hand: python -m app.lab.loadtest --spawn.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.lab import loadtest

ROOT = Path(__file__).resolve().parents[2]
PHRASE = "ENTRADA 13 40"


def _free_port() -> int:
    return loadtest._free_port()


def test_serve_command_answers_the_seed_request(clip_b64, tmp_path):
    port = _free_port()
    env = {**os.environ, "PONTOVOZ_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--max-queue", "4"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.communicate()[0].decode()
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not become healthy"
            time.sleep(0.2)
        assert httpx.get(url + "/health").json()["queue"]["limit"] == 5
        body = json.dumps({"expected_speech": PHRASE, "audio": clip_b64[PHRASE]})
        r = httpx.post(url + "/", content=body, timeout=60)
        assert r.status_code == 200 and r.json()["validated"] is True
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0].decode()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status says why
    assert proc.returncode in (0, -15), out
    assert "Application shutdown complete" in out


def test_serve_rejects_bad_flags():
    r = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--workers", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "erro: --workers deve estar entre 1 e 64" in r.stderr


def test_load_test_smoke(live, clip_b64):
    clips = list(clip_b64.items())
    result = loadtest.run_load(live.url + "/", clips, 4.0, 2, 0.0, os.getpid())
    assert result["requests"] >= 2
    assert result["errors"] == 0 and result["server_errors_5xx"] == 0
    assert result["validated"] == result["requests"]
    assert result["core_p50_ms"] > 0 and result["rss_end_mb"] > 0
