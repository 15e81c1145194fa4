"""docs/SECURITY.md's kiosk rows "422 parks items, then the daily purge deletes their audio" and "a
sync server's error body with ESC codes", replayed: a real ledger, a real HTTP server on 127.0.0.1
that answers what the test sets, the real worker, and `sync run` as IT runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest

from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.sync.config import SyncConfig
from app.sync.worker import SyncWorker
from tests.conftest import CPF_ANA, SETTINGS
from tests.live_server import StandIn

HOSTILE = "\x1b[2J\x1b[31mERRO\x1b]0;pwned\x07 \u202esonu\x00 fim"  # clear, colour, title, bidi


class Server(StandIn):
    """Answers every POST with ``status`` and ``body`` (the contract's JSON on 200)."""

    def __init__(self) -> None:
        self.status, self.body = 422, HOSTILE.encode()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body = server.body
                if server.status == 200:
                    text = " " + req["expected_speech"]
                    body = json.dumps({"validated": True, "spoken_text_in_audio": text}).encode()
                self.send_response(server.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)


@pytest.fixture()
def server():
    s = Server()
    yield s
    s.close()


def test_parked_items_keep_their_audio_through_the_daily_purge(tmp_path, server):
    with Ledger.open(tmp_path / "l.sqlite3", SETTINGS) as led:  # retention 0: LGPD default
        emp = led.add_employee("Ana Souza", CPF_ANA, "582146")
        punch = led.record_punch(
            PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", audio=b"RIFFwav", queue_for_cloud=True)
        )
        worker = SyncWorker(led, SyncConfig(mode="confirm", url=server.url))
        try:
            assert worker.run_once().failed == 1  # 422: parked
            counts = led.outbox_counts()
            assert counts.failed == 1 and "\x1b" not in counts.last_error
            assert "ERRO" in counts.last_error and "\u202e" not in counts.last_error
            assert led.purge_audio(led.now() + timedelta(days=2)) == 0  # the daily purge
            assert led.audio_for(punch.uuid) == b"RIFFwav"  # still there for the retry
            server.status = 200  # the server was fixed; IT runs `sync retry-failed`
            assert led.outbox_retry_failed() == 1
            assert worker.run_once().recorded == 1
        finally:
            worker.stop()
        assert led.get_punch(punch.uuid).cloud_validated is True
        assert led.purge_audio(led.now() + timedelta(days=2)) == 0
        assert led.audio_for(punch.uuid) is None  # resolved: its audio went with the verdict


def test_an_item_without_audio_is_parked_with_a_portuguese_reason(tmp_path, server):
    server.status = 200
    with Ledger.open(tmp_path / "l.sqlite3", SETTINGS) as led:
        emp = led.add_employee("Ana Souza", CPF_ANA, "582146")
        punch = led.record_punch(
            PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", audio=b"RIFFwav", queue_for_cloud=True)
        )
        led._conn.execute("DELETE FROM audio WHERE punch_uuid = ?", (punch.uuid,))  # an old purge
        worker = SyncWorker(led, SyncConfig(mode="confirm", url=server.url))
        try:
            assert worker.run_once().failed == 1
        finally:
            worker.stop()
        error = led.outbox_counts().last_error
    assert error.startswith("o áudio desta marcação não está mais guardado"), error


@pytest.mark.parametrize("status", [422, 401])
def test_sync_run_prints_no_control_characters_from_the_server(tmp_path, server, status):
    server.status = status
    home = tmp_path / "pv"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(
        json.dumps({"sync": {"mode": "confirm", "url": server.url, "token": "t"}})
    )
    env = {**os.environ, "PONTOVOZ_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-c", _QUEUE_ONE], env=env, check=True, capture_output=True, timeout=120
    )
    run = subprocess.run(
        [sys.executable, "-m", "app", "sync", "run", "--max-seconds", "5"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode in (1, 3), run.stderr
    assert "ERRO" in run.stderr  # the server's words are shown...
    for bad in ("\x1b", "\x07", "\x00", "\u202e"):  # ...never its control characters
        assert bad not in run.stderr and bad not in run.stdout


_QUEUE_ONE = """
from app.store.ledger import Ledger
from app.store.models import PunchDraft
with Ledger.open() as led:
    emp = led.add_employee("Ana Souza", "52998224725", "582146")
    led.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", audio=b"RIFF",
                                queue_for_cloud=True))
"""
