"""The migrations on a real PostgreSQL: they apply twice without harm, and punches are
append-only in the database itself (not only in the code)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.central.db import migrate, normalize_url


def test_migrate_is_idempotent_and_creates_tables(central_db):
    migrate(central_db)  # second run: nothing to do, no error
    engine = create_engine(normalize_url(central_db))
    with engine.connect() as conn:
        names = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert {"kiosks", "employees", "punches", "enrollment_codes", "central_verdicts"} <= names
    from alembic.script import ScriptDirectory

    from app.central.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config(central_db)).get_current_head()
    assert version == head  # the last migration (0101_kiosk_status: version and queue columns)


def test_punches_refuse_update_and_delete(central_db):
    engine = create_engine(normalize_url(central_db))
    with engine.begin() as conn:
        kid = conn.execute(
            text("INSERT INTO kiosks (name, ledger_kiosk_id, token_hash, head_nsr, head_hash)"
                 " VALUES ('k', '01', 'x', 0, repeat('0', 64)) RETURNING id")
        ).scalar()  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO punches (kiosk_id, nsr, uuid, ledger_kiosk_id, kiosk_employee_id,"
                " employee_name, cpf, type, punched_at, punched_at_ts, recorded_at, expected,"
                " transcript, validated, method, tries, flagged, flag_reason, offline,"
                " audio_sha256, afd_hash, prev_hash, hash, chain_ok, chain_problem) VALUES"
                " (:k, 1, 'u1', '01', 1, 'Ana', '52998224725', 'ENTRADA',"
                " '2026-11-26T08:00:00-03:00', now(), '2026-11-26T08:00:00-03:00', 'ENTRADA 8 00',"
                " '', true, 'text', 1, false, '', false, '', 'a', 'p', 'h', false, 'x')"
            ),
            {"k": kid},
        )
        conn.execute(text("UPDATE punches SET chain_ok = true, chain_problem = ''"))
    for sql in ("UPDATE punches SET type = 'SAIDA'", "DELETE FROM punches"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    engine.dispose()
