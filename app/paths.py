"""Where PontoVoz keeps its files, and the one way it creates them.

By default the per-user config/data/cache dirs of the OS (platformdirs). Setting
``PONTOVOZ_HOME`` puts all three under one folder, which is what tests, IT and backups want.

Every folder the product creates is 0700 and every file 0600, whatever the umask (another local
user must not read punches or swap a ledger or a model): `private_dir`, `write_private`,
`open_private`. Folders that already existed are tightened only when they are ours and inside
the product's own tree (never the user's home or an export target the user chose).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from platformdirs import PlatformDirs

APP_NAME = "PontoVoz"
HOME_ENV = "PONTOVOZ_HOME"
DIR_MODE, FILE_MODE = 0o700, 0o600


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


def _home() -> Path | None:
    home = os.environ.get(HOME_ENV, "").strip()
    return Path(home).expanduser() if home else None


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(_dirs().user_config_dir)


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(_dirs().user_data_dir)


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else Path(_dirs().user_cache_dir)


def resources_dir() -> Path:
    """``resources/``: ``PONTOVOZ_RESOURCES`` when set (an image that installs the package
    elsewhere), inside the bundle when frozen, else at the repository root."""
    override = os.environ.get("PONTOVOZ_RESOURCES", "").strip()
    if override:
        return Path(override)
    base = getattr(sys, "_MEIPASS", None)
    if base is not None:
        return Path(base) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def product_roots() -> list[Path]:
    """The folders that are the product's own: PONTOVOZ_HOME, or the OS config/data/cache."""
    home = _home()
    return [home] if home else [config_dir(), data_dir(), cache_dir()]


def _own(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def _chmod(path: Path, mode: int) -> None:
    """Best effort: a medium without Unix modes (a FAT USB stick) or a folder of another user
    keeps working; the caller's write still fails loudly if it cannot happen."""
    with contextlib.suppress(OSError):
        if _own(path) and path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)


def private_dir(folder: Path, *, tighten: bool | None = None) -> Path:
    """``mkdir -p`` with every folder it creates 0700 whatever the umask. An existing folder is
    made 0700 when ``tighten`` (default: when it is in the product's own tree), and so is each
    product root above it (PONTOVOZ_HOME made 0777 under ``umask 000`` by an older version)."""
    folder = Path(folder)
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for part in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(part, DIR_MODE)
        _chmod(part, DIR_MODE)  # mkdir's mode is masked by the umask
    roots = [r for r in product_roots() if _inside(folder, r)]
    if tighten or (tighten is None and roots):
        _chmod(folder, DIR_MODE)
    for root in roots:
        _chmod(root, DIR_MODE)
    return folder


def _inside(path: Path, root: Path) -> bool:
    try:
        path.absolute().relative_to(root.absolute())
        return True
    except ValueError:
        return False


@contextlib.contextmanager
def open_private(path: Path, mode: str = "wb", **kw: object) -> Iterator[IO]:
    """Write ``path`` atomically (temp file 0600 in the same folder, fsync, rename): a crash
    never leaves half a file under the real name, and the file is never readable by others."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes whole files, not mode {mode!r}")
    path = Path(path)
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, mode, **kw) as f:  # type: ignore[call-overload]
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes | str) -> Path:
    """`open_private` for a whole bytes or text (UTF-8) content; returns ``path``."""
    if isinstance(data, str):
        with open_private(path, "w", encoding="utf-8") as f:
            f.write(data)
    else:
        with open_private(path, "wb") as f:
            f.write(data)
    return Path(path)


def private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 if missing (for files others fill, e.g. SQLite's); make
    an existing one of ours 0600."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    _chmod(path, FILE_MODE)
    return path
