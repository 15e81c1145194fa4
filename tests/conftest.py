"""Shared fixtures: one real model per test session, synthetic speech cached on disk, and a real
SQLite ledger in a temp dir with one employee."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from app.lab import corpus
from app.store.ledger import Ledger
from app.store.settings import LedgerSettings

CLIP_CACHE = Path(os.environ.get("PONTOVOZ_TEST_AUDIO", Path(__file__).parent / ".audio-cache"))


@pytest.fixture(scope="session")
def make_clip() -> Callable[..., Path]:
    """make_clip("Entrada, treze e quarenta.", rate=100, pitch=100) -> path of a 16 kHz WAV."""
    if not corpus.tools_available():
        pytest.fail("RHVoice/sox missing: run .ci/run or install rhvoice-brazilian-portuguese sox")

    def make(text: str, rate: int = 100, pitch: int = 100) -> Path:
        return corpus.cached_clip(CLIP_CACHE, text, rate=rate, pitch=pitch)

    return make


@pytest.fixture(scope="session")
def verifier():
    """The real verifier with the embedded model, loaded once for the whole session."""
    from app.core.verifier import Verifier

    v = Verifier()
    v.load()
    return v


@pytest.fixture()
def pv_home(tmp_path, monkeypatch) -> Path:
    """An isolated PONTOVOZ_HOME (config/data) that still shares the assembled model cache."""
    home = tmp_path / "pv-home"
    monkeypatch.setenv("PONTOVOZ_HOME", str(home))
    return home


def pytest_configure(config):
    """Assemble and adapt the embedded model (what the product runs) once into the real
    per-user cache and point every test (including ones with an isolated PONTOVOZ_HOME) at it,
    so no test copies 145 MB again."""
    from app import paths
    from app.core.model import prepare

    if not os.environ.get("PONTOVOZ_MODEL_PATH"):
        saved = os.environ.pop("PONTOVOZ_HOME", None)
        folder = prepare(paths.cache_dir())
        if saved is not None:
            os.environ["PONTOVOZ_HOME"] = saved
        os.environ["PONTOVOZ_MODEL_PATH"] = str(folder)


CPF_ANA = "52998224725"  # valid check digits
CPF_BRUNO = "11144477735"

SETTINGS = LedgerSettings(
    kiosk_id="01",
    employer_name="Padaria Pão Quente Ltda",
    employer_id="11222333000181",
    place="Rua das Flores, 100 - São Paulo/SP",
    rep_id="12345678901234567",
)


@pytest.fixture()
def ledger(tmp_path):
    led = Ledger.open(tmp_path / "ledger.sqlite3", SETTINGS)
    yield led
    led.close()


@pytest.fixture()
def ana(ledger):
    return ledger.add_employee("Ana Souza", CPF_ANA, pin="1234", badge="0001")
