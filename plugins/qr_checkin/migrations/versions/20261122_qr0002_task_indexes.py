"""qr_checkin: indexes for the Tasks badge (shift leader; attendance → ledger record)

Revision ID: qr0002
Revises: qr0001
Create Date: 2026-11-22 18:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'qr0002'
down_revision = 'qr0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_qr_checkin_shift_leader', 'qr_checkin_shift', ['leader_id'], unique=False)
    op.create_index('ix_qr_checkin_attendance_record', 'qr_checkin_attendance', ['record_id'], unique=False)


def downgrade():
    op.drop_index('ix_qr_checkin_attendance_record', table_name='qr_checkin_attendance')
    op.drop_index('ix_qr_checkin_shift_leader', table_name='qr_checkin_shift')
