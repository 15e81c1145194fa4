"""PIN and badge lookup that stays slow with the kiosk key in hand (scheme "s3").

The earlier scheme (`app.rep.credentials`) indexed each secret with a fast HMAC: whoever had the
key file (it sits beside the database) could try every 4-8 digit PIN against the index at
about 208,000 guesses/s. Here the index itself is behind a memory-hard KDF:

    dk    = scrypt(HMAC(pepper, "slow:" + kind + ":" + secret), salt=HMAC(pepper, "salt"),
                   n=2**16, r=8, p=1)                       # 64 MiB, one per lookup
    index = "s3" + tag + ":" + HMAC(pepper, "index:" + dk)  # one B-tree probe
    hash  = "s3$n$r$p$" + HMAC(pepper, "verify:" + dk)

so every guess costs one scrypt, with or without the key (without it nothing can be tried at
all: the pepper is the key). ``tag`` (8 hex digits keyed by the pepper) tells the kiosk's own
rows from rows Central hashed with its roster pepper, so a lookup runs scrypt only for the
peppers that actually have rows. The salt is per pepper (per kiosk), so no table computed once
serves every kiosk. Measured figures: docs/LEDGER-INTEGRITY.md.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

SCHEME = "s3"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**16, 8, 1
MAXMEM = 2 * 128 * SCRYPT_N * SCRYPT_R  # scrypt needs 128*n*r bytes; twice that is headroom
PREFIX_LEN = len(SCHEME) + 8 + 1  # "s3" + tag + ":"


@dataclass(frozen=True)
class SlowCredential:
    """What an employee row stores for one secret, and what a lookup compares."""

    index: str
    hash: str


def _hmac(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


class SlowSecretHasher:
    """One pepper (the kiosk key, or Central's roster pepper)."""

    def __init__(self, pepper: bytes) -> None:
        if len(pepper) < 16:
            raise ValueError("pepper too short")
        self._pepper = pepper
        self._salt = _hmac(pepper, b"pontovoz-pin-salt-s3")[:16]
        self.prefix = SCHEME + _hmac(pepper, b"pontovoz-pin-tag-s3").hex()[:8] + ":"

    def credential(self, kind: str, secret: str) -> SlowCredential:
        """The row values for ``secret`` (one scrypt: about a third of a second here)."""
        dk = hashlib.scrypt(
            _hmac(self._pepper, f"slow:{kind}:{secret}".encode()),
            salt=self._salt,
            n=SCRYPT_N,
            r=SCRYPT_R,
            p=SCRYPT_P,
            maxmem=MAXMEM,
        )
        index = self.prefix + _hmac(self._pepper, b"index:" + dk).hex()
        tag = _hmac(self._pepper, b"verify:" + dk).hex()
        return SlowCredential(index, f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${tag}")

    def owns(self, index: str | None) -> bool:
        return bool(index) and str(index).startswith(self.prefix)

    @staticmethod
    def matches(expected: SlowCredential, stored_hash: str | None) -> bool:
        return hmac.compare_digest(expected.hash, str(stored_hash or ""))


def is_slow(index: str | None) -> bool:
    """True for an index of this scheme (a legacy index is 64 hex digits: no "s")."""
    return bool(index) and str(index).startswith(SCHEME)
