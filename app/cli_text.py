"""argparse's own words in pt-BR (usage, help, parse errors) for `python -m app`.

argparse looks every word up through its module-level ``_`` and ``ngettext`` (gettext's).
`install`, called by `app.cli.main` before any parser is built, points them at `MESSAGES` and
`PLURALS`. That changes every parser in the process, which is fine: the process is ours (`python
-m app`, the ``pontovoz`` script, the PyInstaller bundle) and so are its parsers (the lab tools in
the same CLI speak pt-BR too). Importing `app` as a library leaves argparse as it is.
`PtBrArgumentParser` adds two words argparse has no msgid for (see its docstring).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from functools import partial
from typing import Any

# argparse's msgids (CPython 3.11) -> pt-BR. Messages only a programmer meets (a parser built
# wrongly) are left out: they stay English.
MESSAGES: dict[str, str] = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos posicionais",
    "options": "opções",
    "show this help message and exit": "mostra esta ajuda e sai",
    "subcommands": "subcomandos",
    "%(prog)s: error: %(message)s\n": "%(prog)s: erro: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "os seguintes argumentos são obrigatórios: %s",
    "one of the arguments %s is required": "um dos argumentos %s é obrigatório",
    "not allowed with argument %s": "não pode ser usado junto com o argumento %s",
    "unrecognized arguments: %s": "argumentos não reconhecidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "escolha inválida: %(value)r (escolha entre %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "valor inválido: %(value)r (esperado: %(type)s)",
    "expected one argument": "falta o valor",
    "expected at most one argument": "aceita no máximo um valor",
    "expected at least one argument": "espera pelo menos um valor",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opção ambígua: %(option)s pode ser %(matches)s"
    ),
    "unexpected option string: %s": "opção inesperada: %s",
    "ignored explicit argument %r": "esta opção não aceita valor: %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "comando desconhecido %(parser_name)r (escolha entre %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "não foi possível abrir '%(filename)s': %(error)s",
    "cannot have multiple subparser arguments": "só pode haver um grupo de subcomandos",
}

PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("expected %s argument", "expected %s arguments"): ("espera %s valor", "espera %s valores"),
}

# What "invalid %(type)s value" names: a type function's __name__ -> pt-BR.
TYPE_NAMES: dict[str, str] = {
    "int": "número inteiro",
    "float": "número, com ponto decimal (ex.: 2.5)",
    "fromisoformat": "data AAAA-MM-DD",
}

VERSION_HELP = "mostra a versão do programa e sai"


class _TypedMessage(str):
    """The pt-BR "invalid value" template; ``%`` says the type's name in Portuguese."""

    def __mod__(self, args: Any) -> str:
        if isinstance(args, Mapping) and "type" in args:
            args = {**args, "type": TYPE_NAMES.get(str(args["type"]), args["type"])}
        return str.__mod__(self, args)


def _gettext(message: str) -> str:
    text = MESSAGES.get(message, message)
    return _TypedMessage(text) if message == "invalid %(type)s value: %(value)r" else text


def _ngettext(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def install() -> None:
    """argparse speaks pt-BR in this process from now on (idempotent). Call it before building
    parsers: some words are looked up when a parser is made (-h's help, group titles)."""
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


class _SubParsersAction(argparse._SubParsersAction):
    @property
    def metavar(self) -> Any:
        if self._metavar is None and self.choices:
            return "{" + ",".join(self.choices) + "}"
        return self._metavar

    @metavar.setter
    def metavar(self, value: Any) -> None:
        self._metavar = value


class PtBrArgumentParser(argparse.ArgumentParser):
    """The root parser of `python -m app` (subcommand parsers are made with the same class):
    ``action="version"`` gets a pt-BR help, and a missing subcommand is named by its choices
    ("{verify,correct,...}", as in the usage), not by its ``dest``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "version", partial(argparse._VersionAction, help=VERSION_HELP))
        self.register("action", "parsers", _SubParsersAction)
