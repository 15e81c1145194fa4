"""The one PIN policy for every path that sets a PIN: kiosk setup, admin screen, CLI.

    check_new_pin("5821")                                   -> "5821" or PinPolicyError
    check_new_pin(pin, admin_pin_hash=h)                    # employee PIN != admin PIN
    check_new_pin(pin, ledger=ledger, cpf=cpf)              # unique among active employees
    check_new_admin_pin(pin, ledger=ledger)                 # admin PIN != any employee's PIN
    hash_admin_pin(pin) / check_admin_pin(pin, stored)      # the admin PIN's stored form

Rules: the format and strength of a PIN are `app.rep.pin_rules` (Central applies the same ones);
this module adds what only the kiosk knows: an employee PIN differs from the admin PIN and from
other employees' PINs, and the admin PIN (4-8 digits, its own lockout bucket) and its stored form.

Errors are ``PinPolicyError`` (a ConfigError) with a pt-BR message fit for a screen or the CLI.
The ledger still refuses a PIN that is not 4-8 digits or already taken (its own invariants);
this module is where the policy lives.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Protocol

from app import settings as app_settings
from app.core.errors import ConfigError
from app.rep.pin_rules import MIN_LEN, pin_problem

PIN_ITERATIONS = 120_000


class PinPolicyError(ConfigError):
    """A new PIN breaks the policy; the message is pt-BR, ready for a screen or the CLI."""


class EmployeeLookup(Protocol):
    def find_by_pin(self, pin: str) -> object | None: ...


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
