"""The PIN format and strength rules, the same for the kiosk and Central.

Plain functions over a string, so Central checks a PIN set on its web pages with the very rules
the kiosk applies (``app.punch.pins`` adds what only the kiosk knows: its admin PIN and ledger).
A new employee PIN has 6-8 ASCII digits (docs/LEDGER-INTEGRITY.md: with 50 employees on 4-digit
PINs a patient guesser hit one in about a day); PINs already stored with 4 or 5 digits keep
working; a PIN is weak when it is one repeated digit, a run up or down (1234, 9876), a repeated
block (1212, 123123), a keypad line (2580) or one of the PINs people pick most.
"""

from __future__ import annotations

import itertools

MIN_LEN, MAX_LEN = 4, 8  # what a stored PIN may be (and the admin PIN)
NEW_PIN_MIN = 6  # a new or changed employee PIN
# The most common 4-digit PINs (published PIN-frequency studies) and keypad shapes that the
# rules below do not already catch.
COMMON_PINS = frozenset(
    {
        "1004", "2000", "6969", "1122", "1313", "2001", "1010", "2580", "0852", "1379",
        "1397", "7410", "0147", "3690", "1590", "7531", "147258", "258369", "159753",
        "112233", "0007", "1969",
    }
)  # fmt: skip


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
