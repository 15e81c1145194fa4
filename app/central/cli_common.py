"""What the Central server's command modules share (`app.central.cli`, `app.central.web.cli`):
where the database is, and a session factory on it.

The database URL comes from --database-url, else PONTOVOZ_CENTRAL_DB, else ``central.json`` in
the config dir (``scripts/central.sh`` writes it).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING

from app import paths
from app.core.errors import ConfigError

if TYPE_CHECKING:  # a kiosk install has no SQLAlchemy: the commands import it when they run
    from sqlalchemy.orm import Session, sessionmaker

DB_ENV = "PONTOVOZ_CENTRAL_DB"


def database_url(args: argparse.Namespace) -> str:
    if getattr(args, "database_url", None):
        return str(args.database_url)
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    conf = paths.config_dir() / "central.json"
    if conf.is_file():
        try:
            return str(json.loads(conf.read_text(encoding="utf-8"))["database_url"])
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"{conf} ilegível: {exc}") from exc
    raise ConfigError(
        f"informe o banco: --database-url postgresql://..., {DB_ENV}, ou rode scripts/central.sh"
    )


def sessions(args: argparse.Namespace) -> sessionmaker[Session]:
    """A small session factory on the command's database (a command is one short process)."""
    from app.central.db import make_engine, session_factory

    return session_factory(make_engine(database_url(args), pool_size=2))
