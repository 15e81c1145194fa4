"""The kiosk key: 32 random bytes in ``<ledger>.key`` (0600), never inside the database.

It keys three things, so a copied or rewritten database is useless without it:
- the PIN/badge lookup index and the pepper under their scrypt hashes (`credentials`);
- an HMAC-SHA256 on every protected row (punches, events, corrections, employees, cloud
  verdicts) beside the Portaria's plain SHA-256 chain (`chain`), so re-hashing an edited
  ledger with public code is detected;
- the high-water file (`highwater`).

A missing or wrong key with data present is a stop, never a silent new key: the message
(Brazilian Portuguese: IT reads it) says how to restore it from `ledger backup`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.store.db import FILE_MODE, private_dir
from app.store.errors import ErrorCode, LedgerKeyError

KEY_BYTES = 32


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key")


def canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(dict(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class LedgerKey:
    """The key in memory; `mac` gives domain-separated HMACs."""

    def __init__(self, raw: bytes, path: Path | None = None) -> None:
        if len(raw) < 16:
            raise LedgerKeyError(
                _wrong_text(path, "o arquivo está vazio ou truncado"), ErrorCode.KEY_WRONG
            )
        self.raw = raw
        self.path = path
        self._mac_key = hmac.new(raw, b"pontovoz-ledger-mac-v1", hashlib.sha256).digest()

    def mac(self, domain: str, payload: str) -> str:
        msg = f"{domain}\x00{payload}".encode()
        return hmac.new(self._mac_key, msg, hashlib.sha256).hexdigest()

    def row_mac(self, domain: str, fields: Mapping[str, Any]) -> str:
        return self.mac(domain, canonical(fields))

    def check_value(self) -> str:
        """Stored in the database's meta table: tells a wrong key from the right one."""
        return self.mac("key-check", "pontovoz")


def load_key(db_path: Path, *, allow_create: bool) -> LedgerKey:
    """The key beside ``db_path``; created (0600) only when ``allow_create`` (no data yet)."""
    path = key_path(db_path)
    if path.is_file():
        if (path.stat().st_mode & 0o777) != FILE_MODE:
            os.chmod(path, FILE_MODE)
        return LedgerKey(path.read_bytes(), path)
    if not allow_create:
        raise LedgerKeyError(_missing_text(path), ErrorCode.KEY_MISSING)
    private_dir(path.parent)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(KEY_BYTES))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return LedgerKey(path.read_bytes(), path)


def _missing_text(path: Path) -> str:
    return (
        f"A chave do registro de ponto não foi encontrada ({path}), mas o registro já tem "
        "funcionários ou marcações. Sem ela os PINs e crachás não funcionam e a integridade "
        "não pode ser conferida. Nenhuma chave nova foi criada. Restaure a chave da cópia de "
        "segurança: copie o arquivo terminado em '.key' que 'python -m app ledger backup' "
        f"gravou ao lado da cópia para {path} (permissão 0600) e abra o PontoVoz de novo."
    )


def _wrong_text(path: Path | None, why: str) -> str:
    return (
        f"A chave do registro de ponto ({path}) não é a deste registro ({why}). Nada foi "
        "alterado. Restaure a chave certa da cópia de segurança: copie o arquivo terminado em "
        "'.key' que 'python -m app ledger backup' gravou ao lado da cópia para "
        f"{path} (permissão 0600)."
    )


def wrong_key_error(path: Path | None) -> LedgerKeyError:
    return LedgerKeyError(
        _wrong_text(path, "foi trocada ou vem de outra instalação"), ErrorCode.KEY_WRONG
    )
