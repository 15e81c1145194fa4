"""Which stored PIN/badge rows a tried secret could match, across the hashing schemes a ledger
may hold: the slow scheme ("s3", `slow_pins`) under the kiosk key or Central's roster pepper,
and the legacy fast-index scheme (`app.rep.credentials`) for rows written before it.

The slow work (one scrypt per pepper that has rows) runs here, before the caller takes the
database lock, so a lookup never holds up a punch being written by another thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from app.rep.credentials import SecretHasher
from app.rep.slow_pins import SlowCredential, SlowSecretHasher


@dataclass(frozen=True)
class Probe:
    """One index to look up, and how to confirm a row found under it."""

    index: str
    confirm: Callable[[str], bool]  # the row's stored hash -> does it match the secret
    own: bool  # made with the kiosk's own key (may be re-hashed locally)
    legacy: bool  # the fast-index scheme: re-hash on success


@dataclass(frozen=True)
class Present:
    """Which schemes the active rows of one kind use (read from their index prefixes)."""

    slow_prefixes: frozenset[str]
    legacy: bool


class CredentialLookup:
    def __init__(self, own_pepper: bytes, roster_pepper: bytes | None = None) -> None:
        self._own_slow = SlowSecretHasher(own_pepper)
        self._own_legacy = SecretHasher(own_pepper)
        self._roster_slow: SlowSecretHasher | None = None
        self._roster_legacy: SecretHasher | None = None
        self.set_roster(roster_pepper)

    def set_roster(self, pepper: bytes | None) -> None:
        self._roster_slow = SlowSecretHasher(pepper) if pepper else None
        self._roster_legacy = SecretHasher(pepper) if pepper else None

    def new_credential(self, kind: str, secret: str) -> SlowCredential:
        """What a new or changed PIN/badge is stored as (always the slow scheme, own key)."""
        return self._own_slow.credential(kind, secret)

    def probes(
        self, kind: str, secret: str, present: Present, own: SlowCredential | None = None
    ) -> list[Probe]:
        """The indexes to look up for ``secret``; scrypt runs only for peppers with rows
        (``own``: the kiosk's credential when the caller already computed it)."""
        out: list[Probe] = []
        wanted = [
            (slow, is_own)
            for slow, is_own in ((self._own_slow, True), (self._roster_slow, False))
            if slow is not None and slow.prefix in present.slow_prefixes
        ]
        todo = [slow for slow, is_own in wanted if not (is_own and own is not None)]
        made = dict(zip(todo, _credentials(todo, kind, secret), strict=True))
        for slow, is_own in wanted:
            cred = own if is_own and own is not None else made[slow]
            out.append(Probe(cred.index, _slow_confirm(cred), is_own, legacy=False))
        if present.legacy:
            for legacy, is_own in ((self._own_legacy, True), (self._roster_legacy, False)):
                if legacy is None:
                    continue
                out.append(
                    Probe(legacy.index(kind, secret), _legacy_confirm(legacy, kind, secret),
                          is_own, legacy=True)
                )  # fmt: skip
        return out


def _credentials(hashers: list[SlowSecretHasher], kind: str, secret: str) -> list[SlowCredential]:
    """One scrypt per pepper; two run on two threads (scrypt releases the GIL), so a joined
    kiosk, whose rows sit under its own key and Central's pepper, waits for one, not two."""
    if len(hashers) < 2:
        return [h.credential(kind, secret) for h in hashers]
    with ThreadPoolExecutor(max_workers=len(hashers), thread_name_prefix="scrypt") as pool:
        return list(pool.map(lambda h: h.credential(kind, secret), hashers))


def _slow_confirm(cred: SlowCredential) -> Callable[[str], bool]:
    return lambda stored: SlowSecretHasher.matches(cred, stored)


def _legacy_confirm(hasher: SecretHasher, kind: str, secret: str) -> Callable[[str], bool]:
    return lambda stored: hasher.verify(kind, secret, stored)
