"""The one PIN policy for every path that sets a PIN: kiosk setup, admin screen, CLI.

    check_new_pin("5821")                                   -> "5821" or PinPolicyError
    check_new_pin(pin, admin_pin_hash=h)                    # employee PIN != admin PIN
    check_new_pin(pin, ledger=ledger, cpf=cpf)              # unique among active employees
    check_new_admin_pin(pin, ledger=ledger)                 # admin PIN != any employee's PIN
    hash_admin_pin(pin) / check_admin_pin(pin, stored)      # the admin PIN's stored form

Rules: a new employee PIN has 6-8 ASCII digits (docs/LEDGER-INTEGRITY.md: with 50 employees on
4-digit PINs a patient guesser hit one in about a day; PINs already stored with 4 or 5 digits keep
working);
the admin PIN 4-8 (its own lockout bucket); not weak (one repeated digit, a run up or down
such as 1234 or 9876, a repeated block such as 1212 or 123123, a keypad line such as 2580, or
one of the PINs people pick most); an employee PIN differs from the admin PIN and from other
employees' PINs.

Errors are ``PinPolicyError`` (a ConfigError) with a pt-BR message fit for a screen or the CLI.
The ledger still refuses a PIN that is not 4-8 digits or already taken (its own invariants);
this module is where the policy lives.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
from pathlib import Path
from typing import Protocol

from app import settings as app_settings
from app.core.errors import ConfigError

MIN_LEN, MAX_LEN = 4, 8  # what a stored PIN may be (and the admin PIN)
NEW_PIN_MIN = 6  # a new or changed employee PIN
PIN_ITERATIONS = 120_000
# The most common 4-digit PINs (published PIN-frequency studies) and keypad shapes that the
# rules below do not already catch.
COMMON_PINS = frozenset(
    {
        "1004", "2000", "6969", "1122", "1313", "2001", "1010", "2580", "0852", "1379",
        "1397", "7410", "0147", "3690", "1590", "7531", "147258", "258369", "159753",
        "112233", "0007", "1969",
    }
)  # fmt: skip


class PinPolicyError(ConfigError):
    """A new PIN breaks the policy; the message is pt-BR, ready for a screen or the CLI."""


class EmployeeLookup(Protocol):
    def find_by_pin(self, pin: str) -> object | None: ...


def is_weak(pin: str) -> bool:
    """True for PINs an attacker tries first."""
    if len(set(pin)) == 1 or pin in COMMON_PINS:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):  # 1234, 7890, 9876, 3210
        return True
    for size in range(1, len(pin) // 2 + 1):  # 1212, 123123, 12121212
        if len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size):
            return True
    return False


def pin_problem(pin: str, what: str = "PIN", min_len: int = NEW_PIN_MIN) -> str | None:
    """The pt-BR reason this PIN is refused by the format/strength rules, or None."""
    if not (pin.isascii() and pin.isdigit() and min_len <= len(pin) <= MAX_LEN):
        return f"O {what} deve ter de {min_len} a {MAX_LEN} dígitos (somente números)."
    if is_weak(pin):
        return (
            f"Esse {what} é fácil demais de adivinhar (sequência, dígitos repetidos ou muito "
            "comum). Escolha outro."
        )
    return None


def check_new_pin(
    pin: str,
    *,
    what: str = "PIN",
    admin_pin_hash: str = "",
    ledger: EmployeeLookup | None = None,
    cpf: str | None = None,
) -> str:
    """Check an employee's new PIN; returns it stripped. ``cpf`` is the employee's own CPF (an
    update may keep the same PIN)."""
    pin = str(pin or "").strip()
    if admin_pin_hash and check_admin_pin(pin, admin_pin_hash):  # the more useful reason first
        raise PinPolicyError(f"O {what} não pode ser igual ao PIN do administrador.")
    problem = pin_problem(pin, what)
    if problem:
        raise PinPolicyError(problem)
    if ledger is not None:
        owner = ledger.find_by_pin(pin)
        if owner is not None and getattr(owner, "cpf", None) != _digits(cpf):
            raise PinPolicyError(f"Esse {what} já é usado por outro funcionário. Escolha outro.")
    return pin


def check_new_admin_pin(pin: str, *, ledger: EmployeeLookup | None = None) -> str:
    """Check a new admin PIN: same strength rules, and no employee may have it."""
    pin = str(pin or "").strip()
    problem = pin_problem(pin, "PIN do administrador", MIN_LEN)
    if problem:
        raise PinPolicyError(problem)
    if ledger is not None and ledger.find_by_pin(pin) is not None:
        raise PinPolicyError(
            "O PIN do administrador não pode ser igual ao PIN de um funcionário. Escolha outro."
        )
    return pin


def hash_admin_pin(pin: str, salt: str | None = None) -> str:
    """'pbkdf2_sha256$iterations$salt$hex' (the format the kiosk settings already store)."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), PIN_ITERATIONS)
    return f"pbkdf2_sha256${PIN_ITERATIONS}${salt}${digest.hex()}"


def check_admin_pin(pin: str, stored: str) -> bool:
    try:
        algo, iters, salt, hexdigest = stored.split("$")
        if algo != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(iters))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hexdigest)


def stored_admin_pin_hash(settings_file: Path | None = None) -> str:
    """The admin PIN hash the kiosk keeps in settings.json (``kiosk.admin_pin_hash``); "" when
    the kiosk was never set up or the file cannot be read (then there is nothing to compare)."""
    try:
        return str(app_settings.section("kiosk", settings_file).get("admin_pin_hash") or "")
    except ConfigError:
        return ""


def _digits(cpf: str | None) -> str | None:
    return "".join(c for c in cpf if c.isdigit()) if cpf else None
