"""hr back office: users, sessions, audit, teams, schedules, review decisions, manual punches

Revision ID: 0100_hr
Revises: 0001_central

Treatment records and the audit log are append-only in the database (a trigger refuses UPDATE
and DELETE). Two indexes on Central's punches serve the HR pages: per employee by time (espelho,
punch list) and the flagged ones (review queue). The default schedule "PADRAO" is seeded.
"""

import sqlalchemy as sa
from alembic import op

revision = "0100_hr"
down_revision = "0001_central"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hr_employer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cnpj", sa.String(length=14), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("inpi", sa.String(length=17), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hr_holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "hr_schedules",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("week", sa.String(length=60), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("night_start", sa.String(length=5), nullable=False),
        sa.Column("night_end", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "hr_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "hr_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=150), nullable=False),
        sa.Column("author", sa.String(length=150), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_id", "day", name="hr_absences_employee_day"),
    )
    op.create_table(
        "hr_employee_profiles",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("schedule_code", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
        ),
        sa.ForeignKeyConstraint(
            ["schedule_code"],
            ["hr_schedules.code"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["hr_teams.id"],
        ),
        sa.PrimaryKeyConstraint("employee_id"),
    )
    op.create_index(
        op.f("ix_hr_employee_profiles_team_id"), "hr_employee_profiles", ["team_id"], unique=False
    )
    op.create_table(
        "hr_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["hr_teams.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "hr_audit",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hr_users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_hr_audit_at"), "hr_audit", ["at"], unique=False)
    op.create_table(
        "hr_manual_punches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("punched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=150), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hr_users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_hr_manual_punches_employee_id"), "hr_manual_punches", ["employee_id"], unique=False
    )
    op.create_index(
        op.f("ix_hr_manual_punches_punched_at"), "hr_manual_punches", ["punched_at"], unique=False
    )
    op.create_table(
        "hr_punch_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("punch_id", sa.BigInteger(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=150), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["punch_id"],
            ["punches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hr_users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_hr_punch_decisions_punch_id"), "hr_punch_decisions", ["punch_id"], unique=False
    )
    op.create_table(
        "hr_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hr_users.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_hr_sessions_user_id"), "hr_sessions", ["user_id"], unique=False)

    op.create_index("ix_punches_employee_time", "punches", ["employee_id", "punched_at_ts"])
    op.create_index(
        "ix_punches_flagged_time",
        "punches",
        ["punched_at_ts"],
        postgresql_where=sa.text("flagged"),
    )
    op.execute(
        "INSERT INTO hr_schedules (code, name, week, start, break_minutes, night_start, night_end)"
        " VALUES ('PADRAO', 'Padrão 44 h (seg-sex 8 h, sáb 4 h)', '480,480,480,480,480,240,0',"
        " '08:00', 60, '22:00', '05:00')"
    )
    op.execute(APPEND_ONLY)


APPEND_ONLY = """
CREATE FUNCTION hr_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a new record instead', TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER hr_audit_append_only BEFORE UPDATE OR DELETE ON hr_audit
FOR EACH ROW EXECUTE FUNCTION hr_append_only();
CREATE TRIGGER hr_decisions_append_only BEFORE UPDATE OR DELETE ON hr_punch_decisions
FOR EACH ROW EXECUTE FUNCTION hr_append_only();
CREATE TRIGGER hr_manual_append_only BEFORE UPDATE OR DELETE ON hr_manual_punches
FOR EACH ROW EXECUTE FUNCTION hr_append_only();
"""


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS hr_audit_append_only ON hr_audit")
    op.execute("DROP TRIGGER IF EXISTS hr_decisions_append_only ON hr_punch_decisions")
    op.execute("DROP TRIGGER IF EXISTS hr_manual_append_only ON hr_manual_punches")
    op.execute("DROP FUNCTION IF EXISTS hr_append_only()")
    op.drop_index("ix_punches_flagged_time", table_name="punches")
    op.drop_index("ix_punches_employee_time", table_name="punches")
    op.drop_index(op.f("ix_hr_sessions_user_id"), table_name="hr_sessions")
    op.drop_table("hr_sessions")
    op.drop_index(op.f("ix_hr_punch_decisions_punch_id"), table_name="hr_punch_decisions")
    op.drop_table("hr_punch_decisions")
    op.drop_index(op.f("ix_hr_manual_punches_punched_at"), table_name="hr_manual_punches")
    op.drop_index(op.f("ix_hr_manual_punches_employee_id"), table_name="hr_manual_punches")
    op.drop_table("hr_manual_punches")
    op.drop_index(op.f("ix_hr_audit_at"), table_name="hr_audit")
    op.drop_table("hr_audit")
    op.drop_table("hr_users")
    op.drop_index(op.f("ix_hr_employee_profiles_team_id"), table_name="hr_employee_profiles")
    op.drop_table("hr_employee_profiles")
    op.drop_table("hr_absences")
    op.drop_table("hr_teams")
    op.drop_table("hr_schedules")
    op.drop_table("hr_holidays")
    op.drop_table("hr_employer")
