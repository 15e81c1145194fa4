"""time zones and the developer on file: one rule for time, an AEJ that names its developer

Revision ID: 0103_time_zones
Revises: 0102_chain_roster

- ``kiosks.time_zone``: the kiosk's IANA zone (the REP's zone: its AFD header, its "today").
  A punch's own time keeps the offset the kiosk wrote; the zone is for what has no punch.
- ``hr_employer.developer_name`` / ``developer_email``: the AEJ's record 08 (PTRP developer),
  from configuration instead of hard-coded or empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0103_time_zones"
down_revision = "0102_chain_roster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "kiosks",
        sa.Column(
            "time_zone", sa.String(length=64), server_default="America/Sao_Paulo", nullable=False
        ),
    )
    op.add_column(
        "hr_employer",
        sa.Column("developer_name", sa.String(length=150), server_default="", nullable=False),
    )
    op.add_column(
        "hr_employer",
        sa.Column("developer_email", sa.String(length=50), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("hr_employer", "developer_email")
    op.drop_column("hr_employer", "developer_name")
    op.drop_column("kiosks", "time_zone")
