"""front door: ledger anchors kept outside the kiosk, kiosk security alerts, login throttling

Revision ID: 0105_front_door
Revises: 0104_voice_labels

- ``kiosks.anchor_*``: the last head (NSR, hash) a kiosk reported on its own, right after a punch
  (queued while offline), and ``key_fingerprint``: the fingerprint of its ledger key. A head that
  goes backwards, an NSR repeated with another hash or a changed fingerprint is an alert.
- ``kiosk_anchors``: every head a kiosk reported, one per NSR, so a repeat with another hash is
  seen even long after.
- ``kiosk_events``: ``alert`` (HR/IT must act on it), ``kiosk_alert_id`` (the kiosk's own id of a
  security alert it sent, so a resend is not stored twice) and who acknowledged it.
- ``login_throttle``: failed logins per account and per address, with when the next try is
  allowed (a growing delay).
"""

import sqlalchemy as sa
from alembic import op

revision = "0105_front_door"
down_revision = "0104_voice_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kiosks", sa.Column("anchor_nsr", sa.BigInteger(), nullable=True))
    op.add_column("kiosks", sa.Column("anchor_hash", sa.String(length=64), nullable=True))
    op.add_column("kiosks", sa.Column("anchor_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("kiosks", sa.Column("key_fingerprint", sa.String(length=64), nullable=True))
    op.create_table(
        "kiosk_anchors",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("kiosk_id", sa.Integer(), sa.ForeignKey("kiosks.id"), nullable=False),
        sa.Column("nsr", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=True),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("kiosk_id", "nsr", name="kiosk_anchor_nsr"),
    )
    op.add_column(
        "kiosk_events",
        sa.Column("alert", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("kiosk_events", sa.Column("kiosk_alert_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "kiosk_events", sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "kiosk_events", sa.Column("acknowledged_by", sa.String(length=150), nullable=True)
    )
    op.create_unique_constraint(
        "kiosk_event_alert_id", "kiosk_events", ["kiosk_id", "kiosk_alert_id"]
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), primary_key=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_constraint("kiosk_event_alert_id", "kiosk_events", type_="unique")
    op.drop_column("kiosk_events", "acknowledged_by")
    op.drop_column("kiosk_events", "acknowledged_at")
    op.drop_column("kiosk_events", "kiosk_alert_id")
    op.drop_column("kiosk_events", "alert")
    op.drop_table("kiosk_anchors")
    op.drop_column("kiosks", "key_fingerprint")
    op.drop_column("kiosks", "anchor_at")
    op.drop_column("kiosks", "anchor_hash")
    op.drop_column("kiosks", "anchor_nsr")
