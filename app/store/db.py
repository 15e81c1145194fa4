"""The ledger's one SQLite connection: open (private files, pragmas, quick check, migrations),
serialised read/write transactions, hooks that run after COMMIT, and the translation of
SQLite errors into typed ledger errors. Everything in `app.store` goes through it."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from app import paths
from app.store import schema
from app.store.errors import (
    DiskFullError,
    ErrorCode,
    LedgerBusyError,
    LedgerCorruptError,
    LedgerError,
)

log = logging.getLogger(__name__)

FILE_MODE, DIR_MODE = 0o600, 0o700
SIDE_FILES = ("-wal", "-shm", "-journal", ".key", ".nsr", ".nsr2")  # SQLite's, key, marks


_OS_REASONS = {
    errno.EACCES: "permissão negada",
    errno.EPERM: "operação não permitida",
    errno.ENOENT: "pasta ou arquivo não encontrado",
    errno.ENOTDIR: "parte do caminho não é uma pasta",
    errno.EISDIR: "é uma pasta, não um arquivo",
    errno.EROFS: "disco somente leitura",
    errno.ENOSPC: "disco cheio",
    errno.EDQUOT: "cota de disco esgotada",
    errno.EIO: "erro de leitura ou gravação no disco",
}


def os_reason(exc: BaseException, path: Path | None = None) -> str:
    """Why opening a file failed, in pt-BR where the errno is a common one (a store error's
    detail); SQLite's own text is kept, marked as such (an I/O error on a full disk: "disco
    cheio", when ``path`` is given)."""
    if isinstance(exc, sqlite3.Error) and path is not None and _full_io_error(exc, path):
        return "disco cheio"
    if isinstance(exc, OSError):
        return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    return f"SQLite: {exc}"


def private_dir(folder: Path, *, tighten: bool = False) -> None:
    """Create ``folder`` as 0700 whatever the umask (`app.paths.private_dir`); ``tighten``
    also fixes an existing one (the product's own folders are always fixed)."""
    paths.private_dir(folder, tighten=tighten or None)


def private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 if missing; make an existing one 0600."""
    paths.private_file(path)


def tighten_files(path: Path) -> None:
    """The database, its key and side files are readable by their owner only (also fixes
    files left 0644 by versions before this one)."""
    for p in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        try:
            if p.exists() and (p.stat().st_mode & 0o777) != FILE_MODE:
                os.chmod(p, FILE_MODE)
        except OSError as exc:  # e.g. a file owned by another user: say so, keep working
            log.warning("cannot make %s private: %s", p, exc)


class Database:
    """One connection guarded by a lock (SQLite serialises writers anyway)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._after_commit: list[Callable[[], None]] = []

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        busy_timeout_s: float = 5.0,
        hooks: schema.Hooks | None = None,
        tighten_dir: bool = False,
    ) -> Database:
        try:
            private_dir(path.parent, tighten=tighten_dir)
            private_file(path)  # SQLite gives -wal/-shm the database file's mode
        except OSError as exc:
            raise LedgerError(
                f"não foi possível abrir nem criar os registros {path}: {os_reason(exc)}",
                ErrorCode.IO_ERROR,
            ) from exc
        try:
            conn = sqlite3.connect(
                path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise LedgerError(
                f"não foi possível abrir os registros {path} (SQLite: {exc})", ErrorCode.IO_ERROR
            ) from exc
        try:
            with translate(path):
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise LedgerCorruptError(
                        f"os registros {path} estão danificados ({check}); restaure-os da cópia "
                        "de segurança e guarde o arquivo danificado para análise"
                    )
                conn.row_factory = sqlite3.Row
                schema.migrate(conn, hooks or {})
        except BaseException:
            conn.close()
            raise
        tighten_files(path)
        return cls(conn, path)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; hooks registered with `after_commit` run after COMMIT."""
        with self._lock:
            with translate(self.path):
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    self.conn.execute("COMMIT")
                except BaseException:
                    self._after_commit.clear()
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            hooks, self._after_commit = self._after_commit, []
            for hook in hooks:
                hook()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, translate(self.path):
            yield self.conn

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once the current write transaction has committed (not on rollback)."""
        self._after_commit.append(hook)

    def backup_to(self, target: Path) -> str:
        """SQLite online backup into ``target`` (created 0600); returns its integrity check."""
        private_file(target)
        with self._lock, translate(target):
            dest = sqlite3.connect(target)
            try:
                self.conn.backup(dest)
                return str(dest.execute("PRAGMA integrity_check").fetchone()[0])
            finally:
                dest.close()


# Below this many free bytes an I/O error is taken for a full disk: SQLite reports a full
# disk while growing its WAL index (-shm) as SQLITE_IOERR_SHMSIZE, not SQLITE_FULL.
LOW_SPACE_BYTES = 1 << 20


def disk_almost_full(path: Path) -> bool:
    """True when the file system holding ``path`` has (almost) no room left."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        st = os.statvfs(probe if probe.is_dir() else probe.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < LOW_SPACE_BYTES or st.f_favail == 0


def disk_full_error(path: Path) -> DiskFullError:
    return DiskFullError(
        f"disco cheio: o disco de {path} está cheio; nada foi gravado e nenhuma marcação "
        "já guardada foi perdida. Libere espaço no disco e tente de novo"
    )


def _full_io_error(exc: sqlite3.Error, path: Path) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0) or 0
    io_error = (code & 0xFF) in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN) or (
        "disk I/O error" in str(exc)
    )
    return io_error and disk_almost_full(path)


@contextmanager
def translate(path: Path) -> Iterator[None]:
    """Turn SQLite errors into typed, actionable ledger errors."""
    try:
        yield
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        name = getattr(exc, "sqlite_errorname", "")
        text = str(exc)
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
            raise LedgerBusyError(
                f"os registros {path} estão bloqueados por outro programa; nada foi gravado, "
                "tente de novo"
            ) from exc
        if code == sqlite3.SQLITE_FULL or "disk is full" in text or _full_io_error(exc, path):
            raise disk_full_error(path) from exc
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or (
            "malformed" in text or "not a database" in text
        ):
            raise LedgerCorruptError(
                f"os registros {path} estão danificados ou não são do PontoVoz (SQLite: {text}); "
                "restaure-os da cópia de segurança e guarde o arquivo danificado para análise"
            ) from exc
        if isinstance(exc, sqlite3.IntegrityError) and "append-only" in text:
            raise LedgerError(
                f"registros de ponto não podem ser alterados nem apagados (SQLite: {text})",
                ErrorCode.APPEND_ONLY,
            ) from exc
        raise LedgerError(
            f"erro nos registros (SQLite {name or type(exc).__name__}: {text})"
        ) from exc
