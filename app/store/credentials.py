"""PIN and badge hashing: a keyed index for lookup plus a slow KDF for verification.

A PIN is a 4-8 digit secret, so a salted slow hash alone would force a scan of every employee
(one scrypt each) on every lookup. We store two things per secret:

- ``index = HMAC-SHA256(pepper, kind + ":" + secret)``: deterministic, indexed, so lookup is one
  B-tree probe. The pepper is a 32-byte random key kept in a file next to the database
  (``ledger.sqlite3.key``, mode 0600), not inside it: a stolen database alone does not allow
  brute-forcing the small PIN space.
- ``hash = scrypt(secret, salt, n=2**14, r=8, p=1)``: verified after the index hit (~40 ms), so a
  leaked pepper still leaves each PIN behind a salted slow KDF.

Back up the key file with the database; if it is lost, punches stay intact and verifiable, but
PINs/badges must be set again.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets as _secrets
from dataclasses import dataclass
from pathlib import Path

from app.store.errors import LedgerError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class HashedSecret:
    index: str  # hex HMAC, for lookup
    hash: str  # "scrypt$n$r$p$salt_hex$dk_hex"


class SecretHasher:
    """Hashes PINs and badges with the per-install pepper."""

    def __init__(self, pepper: bytes) -> None:
        if len(pepper) < 16:
            raise LedgerError("the ledger key (pepper) is too short")
        self._pepper = pepper

    @classmethod
    def for_database(cls, db_path: Path) -> SecretHasher:
        """Load the pepper next to the database, creating it on first use."""
        key_path = db_path.with_name(db_path.name + ".key")
        if not key_path.exists():
            key_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = key_path.with_name(key_path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(_secrets.token_bytes(32))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, key_path)
        return cls(key_path.read_bytes())

    def index(self, kind: str, secret: str) -> str:
        return hmac.new(self._pepper, f"{kind}:{secret}".encode(), hashlib.sha256).hexdigest()

    def hash(self, kind: str, secret: str) -> HashedSecret:
        salt = _secrets.token_bytes(16)
        dk = hashlib.scrypt(secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
        encoded = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${dk.hex()}"
        return HashedSecret(self.index(kind, secret), encoded)

    @staticmethod
    def verify(secret: str, encoded: str) -> bool:
        try:
            _, n, r, p, salt, dk = encoded.split("$")
            got = hashlib.scrypt(
                secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
            )
        except (ValueError, TypeError):
            return False
        return hmac.compare_digest(got.hex(), dk)
