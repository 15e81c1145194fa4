"""Secrets in Central: kiosk tokens, one-time enrollment codes, the roster pepper.

- Kiosk tokens and enrollment codes are long random strings, so a plain SHA-256 is the right
  stored form (a slow KDF protects low-entropy secrets; these have 256 and 60 bits) and a
  lookup is one index probe per request.
- PINs and badges are stored as the kiosk stores them, in the slow scheme
  (``app.rep.slow_pins``: the index itself is behind one scrypt, keyed with the *roster
  pepper*), so a kiosk key file and the pepper it received still cost one scrypt per guess.
  Kiosks receive the pepper when they enroll, so the rows Central sends down work in their
  ledgers unchanged. Rows stored before keep the old fast index (``app.rep.credentials``) until
  HR sets that PIN again; a new PIN is checked against both kinds of index.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.central.models import CentralKey
from app.rep.credentials import SecretHasher
from app.rep.slow_pins import SlowCredential, SlowSecretHasher

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed by hand
PEPPER_NAME = "roster_pepper"


def new_token() -> str:
    return "pvk_" + secrets.token_urlsafe(32)


def new_code() -> str:
    """12 characters in 3 groups (~59 bits): 'K7QM-3XRT-9PWA'."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_code(code: str) -> str:
    raw = "".join(c for c in code.upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def central_key(session: Session, name: str) -> bytes:
    """A 32-byte secret of Central's, created on first use (race-safe: first insert wins)."""
    row = session.get(CentralKey, name)
    if row is None:
        from sqlalchemy.dialects.postgresql import insert

        session.execute(
            insert(CentralKey)
            .values(name=name, value=secrets.token_bytes(32))
            .on_conflict_do_nothing()
        )
        session.flush()
        row = session.scalars(select(CentralKey).where(CentralKey.name == name)).one()
    return bytes(row.value)


def roster_pepper(session: Session) -> bytes:
    """The pepper for PIN/badge indexes."""
    return central_key(session, PEPPER_NAME)


def credential(session: Session, kind: str, secret: str) -> tuple[SlowCredential, list[str]]:
    """The row values for a new PIN/badge, and every index an existing row with the same
    secret may have (slow and old fast scheme), for the "already used" check."""
    pepper = roster_pepper(session)
    slow = SlowSecretHasher(pepper).credential(kind, secret)
    return slow, [slow.index, SecretHasher(pepper).index(kind, secret)]
