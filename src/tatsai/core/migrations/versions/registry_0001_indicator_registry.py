"""registry: indicator records, evidence, change sequence, appeals.

Revision ID: registry_0001
Revises: orgs_0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tatsai.core.db

revision: str = "registry_0001"
down_revision: str | Sequence[str] | None = "orgs_0001"
branch_labels: str | Sequence[str] | None = ("registry",)
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "indicator_records",
        sa.Column("id", BigId, nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=2048), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scored_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("allow_listed", sa.Boolean(), nullable=False),
        sa.Column("allow_org", sa.String(length=200), nullable=True),
        sa.Column("allow_category", sa.String(length=32), nullable=True),
        sa.Column("review_flag", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.String(length=500), nullable=True),
        sa.Column("first_seen", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.Column("last_seen", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_records")),
        sa.UniqueConstraint("type", "value", name="uq_indicator_records_type_value"),
    )
    op.create_table(
        "indicator_evidence",
        sa.Column("id", BigId, nullable=False),
        sa.Column("record_id", BigId, nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("reporter", sa.String(length=100), nullable=True),
        sa.Column("reporter_weight", sa.Float(), nullable=False),
        sa.Column("model_score", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("observed_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("created_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_org_id"], ["orgs.id"], name=op.f("fk_indicator_evidence_owner_org_id_orgs")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["indicator_records.id"],
            name=op.f("fk_indicator_evidence_record_id_indicator_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_evidence")),
    )
    op.create_index(
        op.f("ix_indicator_evidence_owner_org_id"), "indicator_evidence", ["owner_org_id"]
    )
    op.create_index(op.f("ix_indicator_evidence_record_id"), "indicator_evidence", ["record_id"])
    op.create_table(
        "indicator_changes",
        sa.Column("seq", BigId, autoincrement=False, nullable=False),
        sa.Column("record_id", BigId, nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=2048), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("allow_listed", sa.Boolean(), nullable=False),
        sa.Column("first_seen", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.Column("last_seen", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.Column("changed_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["indicator_records.id"],
            name=op.f("fk_indicator_changes_record_id_indicator_records"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_indicator_changes")),
    )
    op.create_index(op.f("ix_indicator_changes_record_id"), "indicator_changes", ["record_id"])
    op.create_table(
        "indicator_change_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_change_head")),
    )
    op.create_table(
        "indicator_appeals",
        sa.Column("id", BigId, nullable=False),
        sa.Column("record_id", BigId, nullable=False),
        sa.Column("appellant", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", tatsai.core.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", tatsai.core.db.UTCDateTime(), nullable=True),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_org_id"], ["orgs.id"], name=op.f("fk_indicator_appeals_owner_org_id_orgs")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["indicator_records.id"],
            name=op.f("fk_indicator_appeals_record_id_indicator_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_appeals")),
    )
    op.create_index("ix_indicator_appeals_status", "indicator_appeals", ["status"])
    op.create_index(
        op.f("ix_indicator_appeals_owner_org_id"), "indicator_appeals", ["owner_org_id"]
    )
    op.create_index(op.f("ix_indicator_appeals_record_id"), "indicator_appeals", ["record_id"])


def downgrade() -> None:
    op.drop_table("indicator_appeals")
    op.drop_table("indicator_change_head")
    op.drop_table("indicator_changes")
    op.drop_table("indicator_evidence")
    op.drop_table("indicator_records")
