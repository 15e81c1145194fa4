"""No telemetry (docs/SECURITY.md, "Privacy"): ONNX Runtime queued telemetry events under
~/.cache/Microsoft. Every front runs here in its own process with an empty HOME; afterwards HOME
holds nothing of ONNX Runtime.

The first test shows that the check can fail: plain ``import onnxruntime`` does write there.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import httpx
import pytest
from trust_helpers import ROOT, ServeProcess, child_env, files_under

MS = ".cache/Microsoft"


def run_py(code: str, home, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_control_plain_import_writes_telemetry(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = run_py("import onnxruntime", home)
    assert done.returncode == 0, done.stderr
    written = files_under(home)
    assert any(f.startswith(MS) for f in written), written  # what the product must never do


def test_cli_verify_writes_nothing_under_home(tmp_path, make_clip):
    home = tmp_path / "home"
    home.mkdir()
    clip = make_clip("Entrada, treze e quarenta.")
    done = subprocess.run(
        [sys.executable, "-m", "app", "verify", "--expected", "ENTRADA 13 40", str(clip)],
        cwd=ROOT,
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["validated"] is True
    assert files_under(home) == []


def test_every_front_imports_without_onnxruntime(tmp_path):
    # Importing a front must not import onnxruntime (its import alone starts the telemetry).
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import sys\n"
        "import app.cli, app.api.app, app.api.lambda_handler, app.sync.worker, app.punch.cli\n"
        "import app.kiosk.cli, app.core.verifier\n"
        "from app.cli import build_parser; build_parser()\n"
        "assert 'onnxruntime' not in sys.modules, 'imported early'\n"
        "from app.core.verifier import Verifier\n"
        "import numpy as np\n"
        "v = Verifier(); v.load(); v.verify(np.zeros(16000, dtype='float32'), 'ENTRADA 13 40')\n"
        "import onnxruntime, os\n"
        "assert os.environ['ORT_DISABLE_TELEMETRY'] == '1'\n"
    )
    done = run_py(code, home)
    assert done.returncode == 0, done.stderr
    assert files_under(home) == []


def test_lambda_handler_writes_nothing_under_home(tmp_path, make_clip):
    home = tmp_path / "home"
    home.mkdir()
    audio = base64.b64encode(make_clip("Entrada, treze e quarenta.").read_bytes()).decode()
    event = json.dumps({"expected_speech": "ENTRADA 13 40", "audio": audio})
    code = (
        "import json, sys\n"
        "from app.api import lambda_handler\n"
        f"out = lambda_handler.handler(json.loads({event!r}))\n"
        "print(json.dumps(out))\n"
    )
    done = run_py(code, home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["validated"] is True
    assert files_under(home) == []


@pytest.mark.slow
def test_api_server_writes_nothing_under_home(tmp_path, make_clip):
    home = tmp_path / "home"
    home.mkdir()
    audio = base64.b64encode(make_clip("Entrada, treze e quarenta.").read_bytes()).decode()
    with ServeProcess(home) as server:
        r = httpx.post(
            server.url + "/", json={"expected_speech": "ENTRADA 13 40", "audio": audio}, timeout=60
        )
        assert r.status_code == 200 and r.json()["validated"] is True
    assert files_under(home) == []
