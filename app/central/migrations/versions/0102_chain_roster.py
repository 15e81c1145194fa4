"""chain and roster: quarantine, per-kiosk REP number, kiosk rosters, admission date and role

Revision ID: 0102_chain_roster
Revises: 0101_kiosk_status

- ``quarantined_records``: what a kiosk credential sent that does not chain (its own hash, or
  its link to the hash Central holds at NSR-1) or that waits for a missing NSR. Never a punch,
  never moves the head; kept whole (JSON) with both hashes for HR/IT.
- ``kiosks.rep_number``: Central's own number for each kiosk (AFD names, "Hoje"), from a
  sequence so two enrollments at once never share one. Existing kiosks keep their id.
- ``kiosk_employees``: the CPFs each kiosk reported holding, so Central's roster merges with
  the kiosk's (never erases it) and still tells that kiosk about HR's deactivations.
- ``employees.admission_date`` / ``employees.role`` (cargo), for the espelho and the AEJ.
- Punches are linked to their employee by CPF whenever either arrives: the append-only trigger
  now lets ``employee_id`` go from NULL to a value, and a trigger on ``employees`` links the
  punches already held under that CPF.
"""

import sqlalchemy as sa
from alembic import op

revision = "0102_chain_roster"
down_revision = "0101_kiosk_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE kiosk_rep_number")
    op.add_column(
        "kiosks",
        sa.Column(
            "rep_number",
            sa.Integer(),
            server_default=sa.text("nextval('kiosk_rep_number')"),
            nullable=True,
        ),
    )
    op.execute("ALTER SEQUENCE kiosk_rep_number OWNED BY kiosks.rep_number")
    op.execute("UPDATE kiosks SET rep_number = id")
    op.execute(
        "SELECT setval('kiosk_rep_number', coalesce((SELECT max(rep_number) FROM kiosks), 0) + 1,"
        " false)"
    )
    op.alter_column("kiosks", "rep_number", nullable=False)
    op.create_unique_constraint("kiosks_rep_number", "kiosks", ["rep_number"])

    op.add_column("employees", sa.Column("admission_date", sa.Date(), nullable=True))
    op.add_column(
        "employees", sa.Column("role", sa.String(length=80), server_default="", nullable=False)
    )

    op.create_table(
        "kiosk_employees",
        sa.Column("kiosk_id", sa.Integer(), sa.ForeignKey("kiosks.id"), primary_key=True),
        sa.Column("cpf", sa.String(length=11), primary_key=True),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )

    op.create_table(
        "quarantined_records",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("kiosk_id", sa.Integer(), sa.ForeignKey("kiosks.id"), nullable=False),
        sa.Column("nsr", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("expected_prev", sa.String(length=64), nullable=True),
        sa.Column("held_hash", sa.String(length=64), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column(
            "first_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "last_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("times", sa.Integer(), server_default="1", nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=150), nullable=True),
        sa.Column("ack_note", sa.Text(), nullable=True),
        sa.UniqueConstraint("kiosk_id", "nsr", "hash", name="quarantine_kiosk_nsr_hash"),
    )
    op.create_index("ix_quarantine_open", "quarantined_records", ["kiosk_id", "resolved_at"])

    op.execute(APPEND_ONLY_V2)
    op.execute(LINK_BY_CPF)
    op.execute(
        "UPDATE punches p SET employee_id = e.id FROM employees e"
        " WHERE p.employee_id IS NULL AND p.cpf = e.cpf"
    )


APPEND_ONLY_V2 = """
CREATE OR REPLACE FUNCTION punches_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'punches are append-only: add a correction instead';
    END IF;
    -- employee_id may only go from NULL to the employee whose CPF is the punch's
    IF (to_jsonb(NEW) ->> 'employee_id') IS DISTINCT FROM (to_jsonb(OLD) ->> 'employee_id') AND (
        (to_jsonb(OLD) ->> 'employee_id') IS NOT NULL
        OR (SELECT e.cpf FROM employees e
            WHERE e.id = CAST(to_jsonb(NEW) ->> 'employee_id' AS bigint))
           IS DISTINCT FROM (to_jsonb(NEW) ->> 'cpf')
    ) THEN
        RAISE EXCEPTION 'punches are append-only: add a correction instead';
    END IF;
    IF (to_jsonb(NEW) - 'chain_ok' - 'chain_problem' - 'employee_id')
       IS DISTINCT FROM (to_jsonb(OLD) - 'chain_ok' - 'chain_problem' - 'employee_id') THEN
        RAISE EXCEPTION 'punches are append-only: add a correction instead';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""

APPEND_ONLY_V1 = """
CREATE OR REPLACE FUNCTION punches_append_only() RETURNS trigger AS $$
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
"""

LINK_BY_CPF = """
CREATE FUNCTION employees_link_punches() RETURNS trigger AS $$
BEGIN
    UPDATE punches SET employee_id = NEW.id WHERE cpf = NEW.cpf AND employee_id IS NULL;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER employees_link_punches AFTER INSERT OR UPDATE OF cpf ON employees
FOR EACH ROW EXECUTE FUNCTION employees_link_punches();
"""


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS employees_link_punches ON employees")
    op.execute("DROP FUNCTION IF EXISTS employees_link_punches()")
    op.execute(APPEND_ONLY_V1)
    op.drop_index("ix_quarantine_open", table_name="quarantined_records")
    op.drop_table("quarantined_records")
    op.drop_table("kiosk_employees")
    op.drop_column("employees", "role")
    op.drop_column("employees", "admission_date")
    op.drop_constraint("kiosks_rep_number", "kiosks", type_="unique")
    op.drop_column("kiosks", "rep_number")  # drops its owned sequence too
