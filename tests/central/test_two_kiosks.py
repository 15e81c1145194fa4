"""Done-when, end to end: two kiosks (two PONTOVOZ_HOMEs) join a Central started by
``scripts/central.sh`` (its own PostgreSQL cluster, real HTTP), an employee added in Central
reaches both, both punch while Central is down (real model, real clip, real ledger), and after
they come back Central holds every punch once with verified chains. Then one is revoked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.central import pgcluster
from app.central.db import normalize_url
from app.lab.central_proc import wait_until_healthy
from app.punch.service import PunchService
from app.store.ledger import Ledger
from app.store.settings import LedgerSettings
from tests.app_cli import run_app

ROOT = Path(__file__).resolve().parents[2]
CPF = "52998224725"


class ScriptCentral:
    """``scripts/central.sh --no-setup`` (the venv is ready) on a data folder; stop = SIGTERM,
    start = run the script again (it finds its cluster and starts it if needed)."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = pgcluster.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    @property
    def database_url(self) -> str:
        return json.loads((self.data / "config" / "central.json").read_text())["database_url"]

    def start(self) -> None:
        cmd = [
            "scripts/central.sh",
            "--no-setup",
            "--data",
            str(self.data),
            "--port",
            str(self.port),
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        wait_until_healthy(self.proc, self.url + "/healthz", 120.0, "central.sh")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)


@pytest.fixture()
def script_central() -> Iterator[ScriptCentral]:
    data = Path(tempfile.mkdtemp(prefix="pontovoz-central-"))
    data.chmod(0o755)
    server = ScriptCentral(data)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        saved = json.loads((data / "config" / "central.json").read_text())
        pgcluster.Cluster(data / "postgres", saved["pg_port"]).stop("immediate")
        shutil.rmtree(data, ignore_errors=True)


def make_kiosk(root: Path, name: str) -> Path:
    home = root / name
    (home / "config").mkdir(parents=True)
    ledger = {"kiosk_id": "01", "employer_name": "Padaria Pão Quente Ltda",
              "employer_id": "11222333000181", "place": f"Porta {name}"}  # fmt: skip
    (home / "config" / "settings.json").write_text(json.dumps({"ledger": ledger}))
    return home


def open_ledger(home: Path) -> Ledger:
    settings = LedgerSettings.load(home / "config" / "settings.json")
    return Ledger.open(home / "data" / "ledger.sqlite3", settings)


def test_two_kiosks_enroll_punch_offline_and_sync(
    tmp_path, script_central, verifier, make_clip, monkeypatch
):
    central_server = script_central
    banner = "".join(central_server.proc.stdout.readline() for _ in range(4))
    assert "PostgreSQL da Central criado" in banner
    assert f"PontoVoz Central: {central_server.url}" in banner
    db = central_server.database_url
    homes = [make_kiosk(tmp_path, "a"), make_kiosk(tmp_path, "b")]
    for i, home in enumerate(homes):
        code = run_app("central", "enroll-code", "--database-url", db, "--label", f"porta {i}")
        assert code.returncode == 0, code.stderr
        joined = run_app("central", "join", "--url", central_server.url, "--code",
                     code.stdout.split()[0], "--name", f"Porta {i}", home=home)  # fmt: skip
        assert joined.returncode == 0, joined.stderr
        assert "ligado à Central" in joined.stdout
        reused = run_app("central", "join", "--url", central_server.url, "--code",
                     code.stdout.split()[0], home=tmp_path / "other")  # fmt: skip
        assert reused.returncode == 2 and "já foi usado" in reused.stderr

    added = run_app("central", "employees", "add", "--database-url", db, "--name", "Carla Dias",
                "--cpf", CPF, "--pin", "472915", "--badge", "C-77")  # fmt: skip
    assert added.returncode == 0, added.stderr
    for home in homes:
        synced = run_app("central", "sync", home=home)
        assert synced.returncode == 0, synced.stderr
        assert json.loads(synced.stdout)["roster_changed"] is True

    central_server.stop()  # offline from here on
    clip = make_clip("Entrada, oito e cinco.")
    for home in homes:
        monkeypatch.setenv("PONTOVOZ_HOME", str(home))
        with open_ledger(home) as ledger:
            service = PunchService(ledger, verifier)
            carla = service.identify(pin="472915")
            assert carla is not None and carla.name == "Carla Dias"
            assert service.identify(badge="C-77") == carla
            assert service.identify(pin="9999") is None
            for kind in ("ENTRADA", "INTERVALO"):
                punch, _ = service.punch_once(carla, kind, clip)
                assert punch.cpf == CPF
        down = run_app("central", "sync", home=home)
        assert down.returncode == 2 and "Central inacessível" in down.stderr
        status = json.loads(run_app("central", "status", home=home).stdout)
        assert "inacessível" in status["last_error"] and status["token"] == "***"

    central_server.start()
    for home in homes:
        back = run_app("central", "sync", home=home)
        assert back.returncode == 0, back.stderr
        out = json.loads(back.stdout)
        # NSR 1: Carla's type-5 event (sent with the first sync), NSR 2-3: the offline punches
        assert (out["accepted"], out["pending"], out["central_head_nsr"]) == (2, 0, 3)
        again = json.loads(run_app("central", "sync", home=home).stdout)
        assert (again["pushed"], again["accepted"]) == (0, 0)
        status = json.loads(run_app("central", "status", home=home).stdout)
        assert status["last_error"] == "" and abs(status["clock_offset_s"]) < 5

    engine = create_engine(normalize_url(db))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT kiosk_id, nsr, uuid, chain_ok, employee_id IS NOT NULL FROM punches")
        ).all()
    engine.dispose()
    assert len(rows) == 4 and len({r.uuid for r in rows}) == 4
    assert sorted((r.kiosk_id, r.nsr) for r in rows) == [(1, 2), (1, 3), (2, 2), (2, 3)]
    assert all(r.chain_ok and r[4] for r in rows)
    for home in homes:
        with open_ledger(home) as ledger:
            mine = {p.uuid for p in ledger.punches()}
        assert mine <= {r.uuid for r in rows}
    listed = run_app("central", "kiosks", "--database-url", db).stdout
    report = [json.loads(line) for line in listed.splitlines()]
    assert [(k["punches"], k["unverified"], k["gaps"], k["head_nsr"]) for k in report] == [
        (2, 0, [], 3),
        (2, 0, [], 3),
    ]

    assert run_app("central", "revoke", "--database-url", db, "2").returncode == 0
    revoked = run_app("central", "sync", home=homes[1])
    assert revoked.returncode == 2 and "revogado" in revoked.stderr
