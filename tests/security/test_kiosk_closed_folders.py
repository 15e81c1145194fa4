"""docs/SECURITY.md's kiosk rows "run under umask 000", "swap in a same-size model" and "swap in an
empty ledger or delete it", replayed: every folder the product makes is 0700 and every file 0600
whatever the umask (home, data, cache and the model in it, exports, receipts, backups, settings,
lockout, sync state); a same-size model swapped into the cache is not loaded; a vanished or emptied
ledger stops with a pt-BR alarm instead of "ok: 0 marcações". Real files, real subprocesses with
``umask 000``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import model
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.vanished import LedgerVanishedError
from tests.conftest import CPF_ANA, SETTINGS

_MAKE_EVERYTHING = """
import sys, time
from pathlib import Path
from app import paths, settings
from app.core.model import prepare
from app.store.ledger import Ledger
from app.store.lockout import LockoutStore
from app.store.models import PunchDraft
from app.sync import state
home = Path(sys.argv[1])
settings.write_sections({"punch": {"duplicate_minutes": 2}})
with Ledger.open() as led:
    emp = led.add_employee("Ana Souza", "52998224725", "582146")
    led.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", audio=b"RIFF",
                                queue_for_cloud=True))
    led.backup(home / "backups")
    LockoutStore.beside(led.path).fail("admin", time.time())
    state.save(state.state_path(led.path), state.SyncState(failures=1))
prepare(paths.cache_dir())
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _run(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PONTOVOZ_MODEL_PATH"}
    env["PONTOVOZ_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: os.umask(0),
    )  # fmt: skip


def test_under_umask_000_every_folder_is_0700_and_every_file_0600(tmp_path):
    home = tmp_path / "home"
    made = _run("-c", _MAKE_EVERYTHING, str(home), home=home)
    assert made.returncode == 0, made.stderr
    for fmt, out in (("receipt", home / "exports" / "comprovantes"), ("csv", home / "x.csv")):
        span = ("--from", "2000-01-01", "--to", "2100-01-01")
        run = _run("-m", "app", "export", *span, "--format", fmt, "--out", str(out), home=home)
        assert run.returncode == 0, run.stderr
    found = list(home.rglob("*"))
    names = {p.name for p in found}
    assert {"backups", "cache", "config", "exports", "lockout.sqlite3", "settings.json"} <= names
    assert {"sync-state.json", "ledger.sqlite3.nsr2", "x.csv", "model.bin"} <= names
    assert any(p.suffix == ".pdf" for p in found)
    loose = [
        (str(p.relative_to(home)), oct(_mode(p)))
        for p in [home, *found]
        if _mode(p) != (0o700 if p.is_dir() else 0o600)
    ]
    assert loose == []


def test_a_same_size_model_swapped_into_the_cache_is_rebuilt(tmp_path):
    """The embedded base is checked by sha256 at every start (once per process), not by size:
    other weights of the same size are thrown away and the model assembled again."""
    root = tmp_path / "cache"
    folder = model.assemble_embedded(root)
    size = (folder / "model.bin").stat().st_size
    with open(folder / "model.bin", "r+b") as f:  # same size, other weights
        f.seek(size // 2)
        f.write(b"\x00" * 4096)
    model._checked.clear()  # a new start of the kiosk
    again = model.assemble_embedded(root)
    assert again == folder and (again / "model.bin").stat().st_size == size
    assert model.delta_mod.sha256(again / "model.bin") == model.EXPECTED_SHA256["model.bin"]
    assert _mode(root) == 0o700 and _mode(again) == 0o700


def _ledger_with_punches(path: Path) -> None:
    with Ledger.open(path, SETTINGS) as led:
        emp = led.add_employee("Ana Souza", CPF_ANA, "582146")
        for _ in range(3):
            led.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40"))


def test_a_deleted_ledger_is_an_alarm_not_a_new_empty_one(tmp_path):
    home = tmp_path / "home"
    data = home / "data"
    _ledger_with_punches(data / "ledger.sqlite3")
    for p in data.glob("ledger.sqlite3*"):
        if not p.name.endswith((".key", ".nsr", ".nsr2")):
            p.unlink()
    run = _run("-m", "app", "ledger", "verify", home=home)
    assert run.returncode != 0 and "ok:" not in run.stdout
    assert "sumiu" in run.stderr and "cópia de segurança" in run.stderr
    assert not (data / "ledger.sqlite3").exists()  # nothing was created over the evidence
    with pytest.raises(LedgerVanishedError) as exc:  # what the kiosk's start gets
        Ledger.open(data / "ledger.sqlite3", SETTINGS)
    assert exc.value.kind == "ledger_missing"


def test_an_empty_ledger_swapped_in_is_an_alarm_and_an_alert(tmp_path):
    home = tmp_path / "home"
    data = home / "data"
    _ledger_with_punches(data / "ledger.sqlite3")
    Ledger.open(tmp_path / "evil" / "ledger.sqlite3", SETTINGS).close()  # a fresh, valid one
    for p in data.glob("ledger.sqlite3*"):
        if not p.name.endswith((".nsr", ".nsr2")):
            p.unlink()
    for p in (tmp_path / "evil").glob("ledger.sqlite3*"):
        if not p.name.endswith((".nsr", ".nsr2")):
            shutil.copyfile(p, data / p.name)
    run = _run("-m", "app", "ledger", "verify", home=home)
    assert run.returncode != 0 and "ok:" not in run.stdout
    assert "está vazio" in run.stderr and "até o NSR 4" in run.stderr  # 1 event + 3 punches
    with sqlite3.connect(data / "ledger.sqlite3") as conn:  # for the sync to carry to Central
        kinds = [r[0] for r in conn.execute("SELECT kind FROM security_alerts")]
    assert kinds == ["ledger_emptied"]
