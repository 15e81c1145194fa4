"""central: kiosks, enrollment, employees, punches

Revision ID: 0001_central
Revises: (none)

Punches and REP events are append-only in PostgreSQL too: a trigger refuses DELETE, and UPDATE
of anything but Central's own chain verdict (chain_ok, chain_problem), which moves when a gap
is filled.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_central"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "central_keys",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("cpf", sa.String(length=11), nullable=False),
        sa.Column("pin_index", sa.String(length=64), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("badge_index", sa.String(length=64), nullable=True),
        sa.Column("badge_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("all_kiosks", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cpf"),
    )
    op.create_index(op.f("ix_employees_badge_index"), "employees", ["badge_index"], unique=False)
    op.create_index(op.f("ix_employees_pin_index"), "employees", ["pin_index"], unique=False)
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("ledger_kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clock_offset_s", sa.Float(), nullable=True),
        sa.Column("head_nsr", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("head_afd_hash", sa.String(length=64), nullable=True),
        sa.Column("reported_nsr", sa.BigInteger(), nullable=True),
        sa.Column("reported_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "employee_kiosks",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
        ),
        sa.ForeignKeyConstraint(
            ["kiosk_id"],
            ["kiosks.id"],
        ),
        sa.PrimaryKeyConstraint("employee_id", "kiosk_id"),
    )
    op.create_table(
        "enrollment_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kiosk_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kiosk_id"],
            ["kiosks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_table(
        "kiosk_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kiosk_id"],
            ["kiosks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_kiosk_events_kiosk_id"), "kiosk_events", ["kiosk_id"], unique=False)
    op.create_table(
        "punches",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("nsr", sa.BigInteger(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("ledger_kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("kiosk_employee_id", sa.Integer(), nullable=False),
        sa.Column("employee_name", sa.String(length=150), nullable=False),
        sa.Column("cpf", sa.String(length=11), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("punched_at", sa.String(length=40), nullable=False),
        sa.Column("punched_at_ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("expected", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("validated", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("audio_sha256", sa.String(length=64), nullable=False),
        sa.Column("afd_hash", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("chain_ok", sa.Boolean(), nullable=False),
        sa.Column("chain_problem", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
        ),
        sa.ForeignKeyConstraint(
            ["kiosk_id"],
            ["kiosks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kiosk_id", "nsr", name="punches_kiosk_nsr"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index(op.f("ix_punches_cpf"), "punches", ["cpf"], unique=False)
    op.create_index(op.f("ix_punches_employee_id"), "punches", ["employee_id"], unique=False)
    op.create_index(op.f("ix_punches_punched_at_ts"), "punches", ["punched_at_ts"], unique=False)
    op.create_table(
        "central_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("punch_id", sa.BigInteger(), nullable=False),
        sa.Column("validated", sa.Boolean(), nullable=False),
        sa.Column("spoken_text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column(
            "checked_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["punch_id"],
            ["punches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_central_verdicts_punch_id"), "central_verdicts", ["punch_id"], unique=False
    )
    op.create_table(
        "punch_audio",
        sa.Column("punch_id", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["punch_id"],
            ["punches.id"],
        ),
        sa.PrimaryKeyConstraint("punch_id"),
    )

    op.create_table(
        "rep_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("nsr", sa.BigInteger(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("ledger_kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("chain_ok", sa.Boolean(), nullable=False),
        sa.Column("chain_problem", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kiosk_id", "nsr", name="rep_events_kiosk_nsr"),
        sa.UniqueConstraint("uuid"),
    )
    op.execute(APPEND_ONLY)
    op.execute(APPEND_ONLY_EVENTS)


APPEND_ONLY = """
CREATE FUNCTION punches_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'punches are append-only: add a correction instead';
    END IF;
    IF (to_jsonb(NEW) - 'chain_ok' - 'chain_problem')
       IS DISTINCT FROM (to_jsonb(OLD) - 'chain_ok' - 'chain_problem') THEN
        RAISE EXCEPTION 'punches are append-only: add a correction instead';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER punches_append_only BEFORE UPDATE OR DELETE ON punches
FOR EACH ROW EXECUTE FUNCTION punches_append_only();
"""


APPEND_ONLY_EVENTS = """
CREATE TRIGGER rep_events_append_only BEFORE UPDATE OR DELETE ON rep_events
FOR EACH ROW EXECUTE FUNCTION punches_append_only();
"""


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS rep_events")
    op.execute("DROP TRIGGER IF EXISTS punches_append_only ON punches")
    op.execute("DROP FUNCTION IF EXISTS punches_append_only()")
    op.drop_table("punch_audio")
    op.drop_index(op.f("ix_central_verdicts_punch_id"), table_name="central_verdicts")
    op.drop_table("central_verdicts")
    op.drop_index(op.f("ix_punches_punched_at_ts"), table_name="punches")
    op.drop_index(op.f("ix_punches_employee_id"), table_name="punches")
    op.drop_index(op.f("ix_punches_cpf"), table_name="punches")
    op.drop_table("punches")
    op.drop_index(op.f("ix_kiosk_events_kiosk_id"), table_name="kiosk_events")
    op.drop_table("kiosk_events")
    op.drop_table("enrollment_codes")
    op.drop_table("employee_kiosks")
    op.drop_table("kiosks")
    op.drop_index(op.f("ix_employees_pin_index"), table_name="employees")
    op.drop_index(op.f("ix_employees_badge_index"), table_name="employees")
    op.drop_table("employees")
    op.drop_table("central_keys")
