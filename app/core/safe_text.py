"""Text from outside (a server's error body, a stored detail) made safe for a terminal or a
screen: control and format characters (ESC sequences that clear the screen or recolour it,
bidi overrides that reorder a line, NUL, newlines) become spaces, runs of spaces one."""

from __future__ import annotations


def printable(text: object, limit: int | None = None) -> str:
    """``text`` with every non-printable character replaced by a space, whitespace collapsed,
    cut to ``limit`` characters (with "…") when given."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    cleaned = " ".join(cleaned.split())
    if limit is not None and len(cleaned) > limit:
        return cleaned[: max(0, limit - 1)] + "…"
    return cleaned
