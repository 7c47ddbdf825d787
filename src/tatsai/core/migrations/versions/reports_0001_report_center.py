"""reports: report center intake, queue, reporters, campaigns, SMS outbox, USSD sessions.

Revision ID: reports_0001
Revises: orgs_0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tatsai.core.db

revision: str = "reports_0001"
down_revision: str | Sequence[str] | None = "orgs_0001"
branch_labels: str | Sequence[str] | None = ("reports",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_seen", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("last_seen", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_campaigns")),
    )
    op.create_table(
        "report_queue_lease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("taken_at", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_queue_lease")),
        sa.UniqueConstraint("name", name=op.f("uq_report_queue_lease_name")),
    )
    op.create_table(
        "reporter_contacts",
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("msisdn", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("updated_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_reporter_contacts")),
    )
    op.create_table(
        "reporters",
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("first_seen", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_reporters")),
    )
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_msisdn", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
    )
    op.create_table(
        "ussd_sessions",
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("reporter", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("started_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_ussd_sessions")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tracking_code", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("claimed_indicators", sa.Text(), nullable=False),
        sa.Column("occurred_at", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.Column("received_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("available_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("amount_lost_thb", sa.Float(), nullable=True),
        sa.Column("reporter", sa.String(length=64), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("source_org_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("processed_at", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("duplicate_of", sa.String(length=32), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("model_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_org_id"], ["orgs.id"], name=op.f("fk_reports_source_org_id_orgs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reports_idempotency_key")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_reports_tracking_code")),
    )
    op.create_index(op.f("ix_reports_campaign_id"), "reports", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_reports_fingerprint"), "reports", ["fingerprint"], unique=False)
    op.create_index("ix_reports_queue", "reports", ["status", "available_at"], unique=False)
    op.create_index(
        "ix_reports_reporter_received", "reports", ["reporter", "received_at"], unique=False
    )
    op.create_table(
        "report_indicators",
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("attached", sa.Boolean(), nullable=False),
        sa.Column("registry_verdict", sa.String(length=10), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_indicators_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "type", "value", name=op.f("pk_report_indicators")),
    )
    op.create_index(
        "ix_report_indicators_type_value", "report_indicators", ["type", "value"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_report_indicators_type_value", table_name="report_indicators")
    op.drop_table("report_indicators")
    op.drop_index("ix_reports_reporter_received", table_name="reports")
    op.drop_index("ix_reports_queue", table_name="reports")
    op.drop_index(op.f("ix_reports_fingerprint"), table_name="reports")
    op.drop_index(op.f("ix_reports_campaign_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_table("ussd_sessions")
    op.drop_table("sms_outbox")
    op.drop_table("reporters")
    op.drop_table("reporter_contacts")
    op.drop_table("report_queue_lease")
    op.drop_table("report_campaigns")
