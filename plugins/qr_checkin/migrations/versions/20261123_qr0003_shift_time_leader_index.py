"""qr_checkin: the index of a community's shifts by time also holds the leader (who led lately: index only)

Revision ID: qr0003
Revises: qr0002
Create Date: 2026-11-23 05:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'qr0003'
down_revision = 'qr0002'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_qr_checkin_shift_community_time', table_name='qr_checkin_shift')
    op.create_index('ix_qr_checkin_shift_community_time', 'qr_checkin_shift', ['community_id', 'starts_at', 'leader_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_qr_checkin_shift_community_time', table_name='qr_checkin_shift')
    op.create_index('ix_qr_checkin_shift_community_time', 'qr_checkin_shift', ['community_id', 'starts_at'],
                    unique=False)
