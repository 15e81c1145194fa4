"""The kiosk joins, syncs with and reports on a real Central with its own commands
(`app.sync.central_cli`), in a process where the Central server's package and its database
libraries cannot be imported, as in the kiosk bundle (kiosk.spec leaves them out).

`join_sync_status` is the scenario; tests/frozen/test_bundle_central.py runs it on the
PyInstaller bundle itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from app.central import service
from app.central.db import make_engine, session_factory, session_scope
from app.central.models import Kiosk
from app.store.ledger import Ledger
from app.store.settings import LedgerSettings
from tests.central.conftest import central_db, central_server, central_url, pg_cluster

__all__ = ["central_db", "central_server", "central_url", "pg_cluster"]  # fixtures, re-used

ROOT = Path(__file__).resolve().parents[2]
CPF = "52998224725"
LEFT_OUT = ("app.central", "sqlalchemy", "psycopg", "alembic")  # kiosk.spec's LEFT_OUT/excludes
WITHOUT_SERVER = f"""
import importlib.abc, sys

class LeftOut(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == m or name.startswith(m + ".") for m in {LEFT_OUT!r}):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, LeftOut())
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


def kiosk_home(root: Path) -> Path:
    home = root / "kiosk"
    (home / "config").mkdir(parents=True)
    ledger = {"kiosk_id": "01", "employer_name": "Padaria Pão Quente Ltda",
              "employer_id": "11222333000181", "place": "Porta dos fundos"}  # fmt: skip
    (home / "config" / "settings.json").write_text(json.dumps({"ledger": ledger}))
    return home


def join_sync_status(run: Run, home: Path, central_url: str, database_url: str) -> None:
    """``central join``, ``central sync``, ``central status`` as IT types them on the kiosk."""
    engine = make_engine(database_url, pool_size=1)
    sessions = session_factory(engine)
    with session_scope(sessions) as s:
        code = service.create_code(s, "porta dos fundos")

    helped = run("central", "--help")
    assert helped.returncode == 0, helped.stderr
    assert all(c in helped.stdout for c in ("join", "sync", "status")), helped.stdout

    joined = run("central", "join", "--url", central_url, "--code", code, "--name", "Fundos")
    assert joined.returncode == 0, joined.stderr
    assert "ligado à Central" in joined.stdout
    again = run("central", "join", "--url", central_url, "--code", code)
    assert again.returncode == 2 and "já foi usado" in again.stderr

    with session_scope(sessions) as s:
        service.add_employee(s, "Carla Dias", CPF, "472915", None)
    synced = run("central", "sync")
    assert synced.returncode == 0, synced.stderr
    result = json.loads(synced.stdout)
    assert result["roster_changed"] is True and result["pending"] == 0

    status = run("central", "status")
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    assert shown["url"] == central_url and shown["token"] == "***"
    assert shown["last_error"] == ""

    with session_scope(sessions) as s:
        names = list(s.scalars(select(Kiosk.name)))
    engine.dispose()
    assert names == ["Fundos"]
    settings = LedgerSettings.load(home / "config" / "settings.json")
    with Ledger.open(home / "data" / "ledger.sqlite3", settings) as ledger:
        people = [(e.name, e.cpf, e.active) for e in ledger.list_employees()]
        assert ledger.find_by_pin("472915") is not None  # Central's PIN, after the join's pepper
    assert people == [("Carla Dias", CPF, True)]


def test_kiosk_joins_and_syncs_without_the_server_package(tmp_path: Path, central_server) -> None:
    home = kiosk_home(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PONTOVOZ_HOME": str(home)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_SERVER, *args], env=env, cwd=ROOT,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    helped = run("central", "--help")
    assert "serve" not in helped.stdout and "enroll-code" not in helped.stdout  # really left out
    join_sync_status(run, home, central_server.url, central_server.database_url)
