"""`python -m app COMMAND` builds only COMMAND's front: the table that says which module
registers each command must match what the modules register."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys

import pytest

from app import cli


def test_the_command_table_matches_what_each_front_registers() -> None:
    registered: dict[str, str] = {}
    for name in cli.FRONT_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        registered.update(dict.fromkeys(sub.choices, name))
    assert registered == cli.COMMAND_MODULES


@pytest.mark.parametrize("argv", [["ledger", "verify"], ["central", "status"]])
def test_a_command_imports_only_its_front(tmp_path, argv) -> None:
    """`ledger verify` used to import FastAPI, SQLAlchemy and fpdf while building the parser,
    and every `central` command the HR web app (a second or more of every CLI call)."""
    code = (
        "import sys; from app import cli\n"
        f"try:\n    cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'fpdf', 'PySide6', 'jinja2') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "PONTOVOZ_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_help_and_an_unknown_command_still_list_every_command() -> None:
    parser = cli.build_parser("nao-existe")
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(cli.COMMAND_MODULES) | {"central"} == set(choices)
