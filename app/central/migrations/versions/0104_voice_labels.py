"""voice consent: keeping review audio to improve the verifier, only with the employee's consent

Revision ID: 0104_voice_labels
Revises: 0103_time_zones

- ``employees.voice_consent_at``: when the employee consented (LGPD art. 7 I / 11 II a) to
  their reviewed punch audio being exported as labelled data; NULL = no consent (never given
  or revoked). ``voice_consent_purpose`` is the purpose text shown when it was given and
  ``voice_consent_by`` who recorded it. History (given, revoked, exports) is in ``hr_audit``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0104_voice_labels"
down_revision = "0103_time_zones"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("employees", sa.Column("voice_consent_at", sa.DateTime(timezone=True)))
    op.add_column(
        "employees",
        sa.Column("voice_consent_purpose", sa.Text(), server_default="", nullable=False),
    )
    op.add_column(
        "employees",
        sa.Column("voice_consent_by", sa.String(length=150), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("employees", "voice_consent_by")
    op.drop_column("employees", "voice_consent_purpose")
    op.drop_column("employees", "voice_consent_at")
