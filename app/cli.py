"""`python -m app [command]`: one entry point for every front.

Each front owns its subcommands in a ``cli`` module with ``register(subparsers)``; each
subcommand sets ``func(args) -> int`` (the exit code). With no command, the kiosk starts.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys

from app import __version__, cli_text
from app.core.errors import PontoVozError

FRONT_MODULES = (  # in the order `--help` lists them
    "app.core_cli",  # verify
    "app.kiosk.cli",  # kiosk (the default), self-test
    "app.punch.cli",  # punch, employees, receipt, ledger, export
    "app.sync.cli",  # sync
    "app.api.cli",  # serve
    "app.lab.cli",  # adapt, eval, bench, corpus, central-load (left out of the kiosk bundle)
)
CENTRAL_MODULES = (  # subcommands of `central`, each module's register(central subparsers)
    "app.central.cli",  # the server (left out of the kiosk bundle)
    "app.sync.central_cli",  # the kiosk's join, sync, status
)
# Which module registers each command, so a run imports only the front it uses: registering
# every front imports FastAPI, SQLAlchemy, Jinja2 and fpdf (a second of each CLI call).
# tests/test_cli_commands.py checks this table against what the modules register.
COMMAND_MODULES = {
    "verify": "app.core_cli",
    "kiosk": "app.kiosk.cli",
    **dict.fromkeys(("punch", "employees", "receipt", "ledger", "export"), "app.punch.cli"),
    "sync": "app.sync.cli",
    "serve": "app.api.cli",
    **dict.fromkeys(("adapt", "central-load", "eval", "bench", "corpus"), "app.lab.cli"),
}
KIOSK_MODULE = "app.kiosk.cli"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The root parser with ``command``'s front only when it is a known command; every
    front's subcommands otherwise (help, a typo, no command)."""
    parser = cli_text.PtBrArgumentParser(  # subcommand parsers are the same class
        prog="pontovoz", description="PontoVoz: relógio de ponto com verificação por voz"
    )
    parser.add_argument("--version", action="version", version=f"PontoVoz {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="registro detalhado (depuração)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMANDO")
    if command in COMMAND_MODULES and _register(COMMAND_MODULES[command], sub):
        return parser
    if command != "central":
        for name in FRONT_MODULES:
            _register(name, sub)
    central = sub.add_parser("central", help="PontoVoz Central (servidor) e o cadastro do quiosque")
    cs = central.add_subparsers(dest="central_cmd", required=True)
    for name in CENTRAL_MODULES:
        _register(name, cs)
    return parser


def _register(name: str, sub: argparse._SubParsersAction) -> bool:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # a front left out of this build (e.g. the API in the kiosk bundle) is skipped;
        # a missing dependency of a front that is there is a real error
        if exc.name != name and not name.startswith(f"{exc.name}."):
            raise
        return False
    module.register(sub)
    return True


GLOBAL_FLAGS = ("-v", "--verbose")  # the root parser's own switches (no value)
ROOT_ONLY = ("-h", "--help", "--version")  # answered by the root parser itself


def with_default_command(argv: list[str], command: str) -> list[str]:
    """``command`` inserted where the command goes when none is given: after the global
    switches, before the first other option (`-v --windowed` -> `-v kiosk --windowed`).
    `-v ledger verify`, `--help` and `--version` are left as they are."""
    i = 0
    while i < len(argv) and argv[i] in GLOBAL_FLAGS:
        i += 1
    rest = argv[i:]
    if rest and (rest[0] in ROOT_ONLY or not rest[0].startswith("-")):
        return argv
    return [*argv[:i], command, *rest]


def main(argv: list[str] | None = None) -> int:
    cli_text.install()  # argparse's own words in pt-BR; before any parser is built
    argv = sys.argv[1:] if argv is None else argv
    if importlib.util.find_spec(KIOSK_MODULE) is not None:
        argv = with_default_command(argv, "kiosk")
    commands = [a for a in argv if not a.startswith("-")]
    parser = build_parser(commands[0] if commands else None)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # it logs every full-window pass at INFO
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except PontoVozError as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
