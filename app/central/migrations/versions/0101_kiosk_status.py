"""kiosk status: the app version and sync queue each kiosk reports on its exchanges

Revision ID: 0101_kiosk_status
Revises: 0100_hr

Kiosks send ``X-Kiosk-Version`` and ``X-Kiosk-Queue`` with every call; Central keeps the last
valid values for the "Hoje" page. Nullable: kiosks that never reported them show "—".
"""

import sqlalchemy as sa
from alembic import op

revision = "0101_kiosk_status"
down_revision = "0100_hr"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kiosks", sa.Column("app_version", sa.String(length=32), nullable=True))
    op.add_column("kiosks", sa.Column("queue_pending", sa.Integer(), nullable=True))
    op.add_column(
        "kiosks", sa.Column("status_reported_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("kiosks", "status_reported_at")
    op.drop_column("kiosks", "queue_pending")
    op.drop_column("kiosks", "app_version")
