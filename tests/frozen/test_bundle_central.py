"""The bundled kiosk joins a real Central, syncs and reports with its own CLI
(``PontoVoz central join|sync|status``), in an empty environment: the bundle leaves the
Central server out (kiosk.spec), so these commands must come from `app.sync.central_cli`.

Central itself runs from source on a throwaway PostgreSQL (tests/central/conftest.py); the
scenario is the one tests/sync/test_central_cli.py runs without the server package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.central.conftest import central_db, central_server, central_url, pg_cluster
from tests.frozen.conftest import bundle_program
from tests.frozen.test_bundle import empty_env
from tests.sync.test_central_cli import join_sync_status, kiosk_home

__all__ = ["central_db", "central_server", "central_url", "pg_cluster"]  # fixtures, re-used

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="env -i: Linux"),
]


def test_bundled_kiosk_joins_central_with_its_own_cli(
    bundle: Path, tmp_path: Path, central_server
) -> None:
    home = kiosk_home(tmp_path)
    env = empty_env(tmp_path / "os-home", PONTOVOZ_HOME=str(home))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bundle_program(bundle)), *args], env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip

    helped = run("central", "--help")
    assert "serve" not in helped.stdout, "the bundle holds the Central server"
    join_sync_status(run, home, central_server.url, central_server.database_url)
