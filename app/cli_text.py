"""argparse's own words in pt-BR (usage, help, parse errors), for PontoVoz's parsers only.

argparse says "usage:", "options", "the following arguments are required: ..." through its
module-level ``_`` (``gettext.gettext``) and ``ngettext``. Installing a translation for the whole
process (``gettext.install``, ``textdomain``) or assigning ``argparse._`` would change every
other parser in the process too. Instead, `localized(cls)` makes a subclass of an argparse class
whose methods that speak are copies of argparse's own, bound to a private copy of argparse's
globals where ``_`` and ``ngettext`` answer from `MESSAGES`. argparse itself is never modified.

`PtBrArgumentParser` is the root parser of `python -m app` (`app.cli`); every subcommand parser
is made with the same class (``add_subparsers`` uses ``type(parent)``), its help formatter,
actions and errors speak pt-BR as well. Words argparse does not translate (the version flag's
help) are set here too.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Mapping
from types import CodeType, FunctionType
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


# argparse's globals with pt-BR ``_`` and ``ngettext``; the copied methods run against these.
_GLOBALS: dict[str, Any] = {**vars(argparse), "_": _gettext, "ngettext": _ngettext}


def _speaks(code: CodeType) -> bool:
    """Whether a function (or a function defined inside it) looks words up via gettext."""
    if {"_", "ngettext"} & set(code.co_names):
        return True
    return any(isinstance(c, CodeType) and _speaks(c) for c in code.co_consts)


def _rebound(func: FunctionType) -> FunctionType:
    copy = FunctionType(func.__code__, _GLOBALS, func.__name__, func.__defaults__, func.__closure__)
    copy.__kwdefaults__ = func.__kwdefaults__
    copy.__qualname__ = func.__qualname__
    copy.__doc__ = func.__doc__
    return copy


@functools.cache
def localized(cls: type) -> type:
    """A subclass of ``cls`` (an argparse class or a subclass of one) whose argparse methods
    that speak are pt-BR copies; methods ``cls`` defines itself are kept as they are."""
    if getattr(cls, "_pt_br", False):
        return cls
    methods: dict[str, Any] = {"_pt_br": True, "__module__": __name__}
    seen: set[str] = set()
    for klass in cls.__mro__:  # the method Python would find, per name
        for name, attr in vars(klass).items():
            if name in seen:
                continue
            seen.add(name)
            argparse_own = klass.__module__ == "argparse" and isinstance(attr, FunctionType)
            if argparse_own and _speaks(attr.__code__):
                methods[name] = _rebound(attr)
    return type(cls.__name__, (cls,), methods)


# Errors argparse raises while parsing are made through this name in _GLOBALS: their
# "argument X: ..." prefix is pt-BR; still argparse.ArgumentError for every `except`.
_GLOBALS["ArgumentError"] = localized(argparse.ArgumentError)


class _VersionAction(argparse._VersionAction):
    """``action="version"`` with a pt-BR default help (argparse does not translate this one)."""

    def __init__(
        self,
        option_strings: list[str],
        version: str | None = None,
        dest: str = argparse.SUPPRESS,
        default: str = argparse.SUPPRESS,
        help: str = VERSION_HELP,
    ) -> None:
        super().__init__(option_strings, version=version, dest=dest, default=default, help=help)


class _SubParsersAction(localized(argparse._SubParsersAction)):  # type: ignore[misc]
    """Subcommands. With no metavar, "required" errors name the choices, as the usage does
    ("{verify,backup}"), not the attribute they are stored in ("action")."""

    @property
    def metavar(self) -> Any:
        if self._metavar is None and self.choices:
            return "{" + ",".join(self.choices) + "}"
        return self._metavar

    @metavar.setter
    def metavar(self, value: Any) -> None:
        self._metavar = value


class PtBrArgumentParser(localized(argparse.ArgumentParser)):  # type: ignore[misc]
    """An `argparse.ArgumentParser` that speaks pt-BR: usage, group titles, -h/--help, parse
    errors ("erro: os seguintes argumentos são obrigatórios: ..."). Its subcommand parsers are
    the same class. Exit codes are argparse's (2 on a parse error)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "version", _VersionAction)
        self.register("action", "parsers", _SubParsersAction)

    def _get_formatter(self) -> argparse.HelpFormatter:
        formatter: argparse.HelpFormatter = localized(self.formatter_class)(prog=self.prog)
        return formatter
