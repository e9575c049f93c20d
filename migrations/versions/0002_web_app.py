"""Web app: patient settings, assessment parts, progression proposals, job parameters and
progress, media kinds, session zones, and the indexes the clinician dashboard reads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 13:48:53
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.String(length=120), nullable=False),
        sa.Column("exercise_id", sa.String(length=80), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("zone", sa.String(length=10), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'auto_applied')",
            name=op.f("ck_proposals_status"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_proposals_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("patient_id", "proposal_id", name="uq_proposals_patient_proposal"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_patient_status", ["patient_id", "status"])

    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )

    with op.batch_alter_table("analysis_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("patient_id", sa.Integer(), nullable=True))
        batch_op.alter_column("media_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(
            sa.Column("params", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("requested_by", sa.String(length=320), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("progress", sa.Float(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.create_index(batch_op.f("ix_analysis_jobs_patient_id"), ["patient_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_analysis_jobs_patient_id_patients"),
            "patients",
            ["patient_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("parts", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )

    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="upload")
        )

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sex", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("employed", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("auto_progression", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "questionnaire_interval_days",
                sa.Integer(),
                nullable=False,
                server_default=sa.text("28"),
            )
        )
        batch_op.add_column(
            sa.Column("context", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("questionnaire_due_on", sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_patients_questionnaire_due_on"), ["questionnaire_due_on"]
        )

    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.create_index("ix_questionnaires_patient_taken", ["patient_id", "taken_on"])

    with op.batch_alter_table("session_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("zone", sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            "zone", "zone IS NULL OR zone IN ('green', 'amber', 'red')"
        )
        batch_op.create_index("ix_session_logs_patient_date", ["patient_id", "date", "zone"])
        batch_op.create_index("ix_session_logs_zone_date", ["zone", "date", "patient_id"])

    # The server defaults only fill existing rows; the models give every new row its value.
    for table, column in (
        ("clinics", "revision"),
        ("analysis_jobs", "params"),
        ("analysis_jobs", "requested_by"),
        ("analysis_jobs", "progress"),
        ("assessments", "parts"),
        ("media", "kind"),
        ("patients", "employed"),
        ("patients", "auto_progression"),
        ("patients", "questionnaire_interval_days"),
        ("patients", "context"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("session_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_session_logs_zone_date")
        batch_op.drop_index("ix_session_logs_patient_date")
        batch_op.drop_constraint("zone", type_="check")
        batch_op.drop_column("zone")

    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.drop_index("ix_questionnaires_patient_taken")

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_questionnaire_due_on"))
        batch_op.drop_column("questionnaire_due_on")
        batch_op.drop_column("context")
        batch_op.drop_column("questionnaire_interval_days")
        batch_op.drop_column("auto_progression")
        batch_op.drop_column("employed")
        batch_op.drop_column("sex")

    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("parts")

    with op.batch_alter_table("analysis_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_analysis_jobs_patient_id_patients"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_analysis_jobs_patient_id"))
        batch_op.drop_column("progress")
        batch_op.drop_column("requested_by")
        batch_op.drop_column("params")
        batch_op.drop_column("patient_id")
        batch_op.alter_column("media_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.drop_column("revision")

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_patient_status")
    op.drop_table("proposals")
