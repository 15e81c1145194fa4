"""Spreadsheet cells that stay data: the one guard every CSV and XLSX writer uses.

An employee named ``=HYPERLINK("http://...","Clique")`` became a live formula in the payroll
XLSX and CSV (Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@``, and
some treat a leading TAB or CR the same way). Following OWASP's "CSV injection" rule, such a text
gets a leading apostrophe, which the spreadsheet shows as text and never evaluates. A plain
number or time (``-01:30``, ``-2,5``) is left as it is: it cannot call anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,:]\d+)*")


def safe_cell(value: T) -> T | str:
    """``value`` as a cell that cannot become a formula (non-text values are returned as is)."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def safe_row(values: Iterable[T]) -> list[T | str]:
    return [safe_cell(v) for v in values]
