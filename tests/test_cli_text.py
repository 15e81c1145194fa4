"""argparse's own words are pt-BR in `python -m app` (usage, help, parse errors).

In-process tests install the pt-BR lookups for themselves (as `app.cli.main` does) and put
argparse's own back afterwards, so the rest of the pytest process keeps argparse's English."""

from __future__ import annotations

import argparse
import ast
import inspect
import subprocess
import sys

import pytest

from app import cli_text
from app.cli import build_parser
from app.cli_text import MESSAGES, PLURALS

ENGLISH = ("usage:", "show this help", "positional arguments", "\noptions:", "error:")


@pytest.fixture(autouse=True)
def pt_br(monkeypatch):
    monkeypatch.setattr(argparse, "_", argparse._)  # undone after the test: gettext's again
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)
    cli_text.install()


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120
    )


def test_verify_help_is_portuguese():
    out = run("verify", "--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("uso: pontovoz verify [-h] --expected EXPECTED")
    assert "mostra esta ajuda e sai" in out.stdout
    assert "\nargumentos posicionais:\n" in out.stdout and "\nopções:\n" in out.stdout
    assert not [w for w in ENGLISH if w in out.stdout], out.stdout


def test_missing_required_argument_exits_2_in_portuguese():
    out = run("verify", "audio.wav")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("uso: pontovoz verify"), out.stderr
    assert out.stderr.splitlines()[-1] == (
        "pontovoz verify: erro: os seguintes argumentos são obrigatórios: --expected"
    )
    assert "required" not in out.stderr


def test_invalid_choice_is_portuguese():
    out = run("export", "--format", "pdf")
    assert out.returncode == 2
    assert out.stderr.splitlines()[-1] == (
        "pontovoz export: erro: argumento --format: escolha inválida: 'pdf' "
        "(escolha entre 'csv', 'afd', 'receipt')"
    )
    unknown = run("bogus")
    assert unknown.returncode == 2
    assert "pontovoz: erro: argumento COMANDO: escolha inválida: 'bogus'" in unknown.stderr
    assert "invalid choice" not in unknown.stderr + out.stderr


def _parse_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(list(argv))
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("uso: ") and not [w for w in ENGLISH if w in err], err
    return err.splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["verify", "--expected", "X", "a.wav", "--cpu-threads", "abc"],
         "argumento --cpu-threads: valor inválido: 'abc' (esperado: número inteiro)"),
        (["verify", "--expected", "X", "a.wav", "--score-margin", "0,5"],
         "argumento --score-margin: valor inválido: '0,5' (esperado: número, com ponto decimal"),
        (["export", "--from", "01/03/2026"],
         "argumento --from: valor inválido: '01/03/2026' (esperado: data AAAA-MM-DD)"),
        (["verify", "--expected"], "argumento --expected: falta o valor"),
        (["verify", "--expected", "X", "a.wav", "b.wav"], "argumentos não reconhecidos: b.wav"),
        (["punch", "--audio", "a.wav"], "um dos argumentos --pin --badge é obrigatório"),
        (["punch", "--audio", "a.wav", "--pin", "1", "--badge", "2"],
         "argumento --badge: não pode ser usado junto com o argumento --pin"),
        (["kiosk", "--windowed=sim"], "argumento --windowed: esta opção não aceita valor: 'sim'"),
        (["ledger"], "os seguintes argumentos são obrigatórios: {verify,correct,purge-audio,"),
        (["ledger", "correct", "u-1", "--author", "RH"],
         "os seguintes argumentos são obrigatórios: --note"),
        (["serve", "--log-level", "trace"], "argumento --log-level: escolha inválida: 'trace'"),
    ],
)  # fmt: skip
def test_parse_errors_are_portuguese(capsys, argv, said):
    assert said in _parse_error(capsys, *argv)


@pytest.mark.parametrize(
    "argv",
    [[], ["verify"], ["kiosk"], ["punch"], ["ledger"], ["ledger", "verify"], ["export"],
     ["export", "check"], ["serve"], ["employees", "add"]],
)  # fmt: skip
def test_every_user_facing_help_is_portuguese(capsys, argv):
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*argv, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("uso: pontovoz") and "-h, --help" in text
    assert "mostra esta ajuda e sai" in text and "opções:" in text
    assert not [w for w in ENGLISH if w in text], text
    if not argv:
        assert "--version      mostra a versão do programa e sai" in text


def test_install_is_idempotent():
    cli_text.install()
    cli_text.install()
    assert argparse._ is cli_text._gettext and argparse.ngettext is cli_text._ngettext
    assert argparse._("usage: ") == "uso: " and argparse._("not a msgid") == "not a msgid"
    assert argparse.ngettext("expected %s argument", "expected %s arguments", 2) == (
        "espera %s valores"
    )


def test_every_translated_msgid_is_one_argparse_uses():
    # A Python upgrade that rewords a message must fail here, not silently go back to English.
    said: set[str] = set()
    plural: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and texts:
                said.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) >= 2:
                plural.add((texts[0], texts[1]))
    assert set(MESSAGES) - {"subcommands"} <= said  # _(kwargs.pop('title', 'subcommands'))
    assert set(PLURALS) <= plural
