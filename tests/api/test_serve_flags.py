"""`python -m app serve` hands its engine and queue flags to the worker processes through the
environment (``app.api.cli.FLAG_ENV``): each flag reaches the setting it names, which the
parent checks before it starts anything (a bad value is a pt-BR error, exit status 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--cpu-threads", "-1", "cpu_threads deve estar entre 1 e 64"),
        ("--num-workers", "0", "num_workers deve estar entre 1 e 16"),
        ("--max-queue", "-1", "max_queue deve estar entre 0 e 10000"),
        ("--max-wait", "-1", "max_wait_seconds deve estar entre 0 e 600"),
        ("--rate-limit", "-5", "rate_limit_per_minute deve estar entre 0 e 1000000"),
    ],
)
def test_each_flag_reaches_its_setting(tmp_path, flag, value, words):
    env = {**os.environ, "PONTOVOZ_HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "app", "serve", flag, value], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 2 and f"erro: {words}" in r.stderr, r.stderr
