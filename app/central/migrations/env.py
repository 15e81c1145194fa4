"""Alembic environment: online migrations only, URL from the config ``app.central.db`` builds."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from app.central.models import Base

config = context.config
target_metadata = Base.metadata

url = config.get_main_option("sqlalchemy.url")
if not url:
    raise RuntimeError("alembic: sqlalchemy.url is not set (app.central.db sets it)")
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
