"""slow pins: room for the slow PIN/badge index ("s3", app.rep.slow_pins)

Revision ID: 0107_slow_pins
Revises: 0106_hr_second_pass

The slow scheme's index is "s3" + an 8-hex pepper tag + ":" + 64 hex digits (75 characters);
the old HMAC index was 64. Rows already stored keep their old index, and kiosks accept both.
"""

import sqlalchemy as sa
from alembic import op

revision = "0107_slow_pins"
down_revision = "0106_hr_second_pass"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("pin_index", "badge_index"):
        op.alter_column("employees", column, type_=sa.String(96), existing_type=sa.String(64))


def downgrade() -> None:
    for column in ("pin_index", "badge_index"):
        op.alter_column("employees", column, type_=sa.String(64), existing_type=sa.String(96))
