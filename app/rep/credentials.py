"""PIN and badge hashing: a keyed index for lookup plus a peppered slow KDF for verification.

A PIN is a 4-8 digit secret, so a salted slow hash alone would force a scan of every employee
(one scrypt each) on every lookup, and a copied database could be brute-forced offline (10,000
PINs in about a minute). We store two things per secret:

- ``index = HMAC-SHA256(key, kind + ":" + secret)``: deterministic, indexed, so lookup is one
  B-tree probe.
- ``hash = scrypt(HMAC-SHA256(key, "scrypt:" + kind + ":" + secret), salt, n=2**14, r=8, p=1)``
  ("scrypt2$..."): verified after the index hit (~40 ms). The pepper means that the database
  alone, without the key file, gives nothing to crack; with the key, each PIN is still behind
  a salted slow KDF.

Hashes written before the pepper ("scrypt$...", no key) still verify, and `needs_rehash`
tells the caller to replace them on the next successful use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
from dataclasses import dataclass

from app.rep.errors import ErrorCode, RepError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PEPPERED = "scrypt2"


@dataclass(frozen=True)
class HashedSecret:
    index: str  # hex HMAC, for lookup
    hash: str  # "scrypt2$n$r$p$salt_hex$dk_hex"


class SecretHasher:
    """Hashes PINs and badges with the kiosk key as pepper."""

    def __init__(self, pepper: bytes) -> None:
        if len(pepper) < 16:
            raise RepError("a chave dos registros (pepper) é curta demais", ErrorCode.KEY_WRONG)
        self._pepper = pepper

    def index(self, kind: str, secret: str) -> str:
        return hmac.new(self._pepper, f"{kind}:{secret}".encode(), hashlib.sha256).hexdigest()

    def _peppered(self, kind: str, secret: str) -> bytes:
        return hmac.new(self._pepper, f"scrypt:{kind}:{secret}".encode(), hashlib.sha256).digest()

    def hash(self, kind: str, secret: str) -> HashedSecret:
        salt = _secrets.token_bytes(16)
        dk = hashlib.scrypt(
            self._peppered(kind, secret), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P
        )
        encoded = f"{PEPPERED}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${dk.hex()}"
        return HashedSecret(self.index(kind, secret), encoded)

    def verify(self, kind: str, secret: str, encoded: str) -> bool:
        try:
            scheme, n, r, p, salt, dk = encoded.split("$")
            data = self._peppered(kind, secret) if scheme == PEPPERED else secret.encode()
            got = hashlib.scrypt(data, salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
        except (ValueError, TypeError):
            return False
        return hmac.compare_digest(got.hex(), dk)

    @staticmethod
    def needs_rehash(encoded: str) -> bool:
        return not encoded.startswith(PEPPERED + "$")
