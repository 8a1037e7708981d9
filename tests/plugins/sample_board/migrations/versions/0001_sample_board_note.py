"""The notice board's table: the first revision of the sample_board branch.

Revision ID: 0001sample_board
Depends on: 0001core
"""

import sqlalchemy as sa
from alembic import op

from timebank.db_types import UTCDateTime

revision = "0001sample_board"
down_revision = None
branch_labels = ("sample_board",)
depends_on = "0001core"


def upgrade():
    op.create_table(
        "sample_board_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("community.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_sample_board_note_community_id", "sample_board_note", ["community_id"])


def downgrade():
    op.drop_index("ix_sample_board_note_community_id", table_name="sample_board_note")
    op.drop_table("sample_board_note")
