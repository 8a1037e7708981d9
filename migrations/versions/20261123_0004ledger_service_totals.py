"""ledger service totals (maintained sums for the leaderboard and the community's totals), filled from the records

Revision ID: 0004ledger
Revises: 0003api
Create Date: 2026-11-23 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from timebank.ledger.totals import rebuild_service_totals


# revision identifiers, used by Alembic.
revision = '0004ledger'
down_revision = '0003api'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_service_total',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('minutes', sa.BigInteger(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_ledger_service_total_community_id_community')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user_account.id'], name=op.f('fk_ledger_service_total_volunteer_id_user_account')),
    sa.PrimaryKeyConstraint('community_id', 'year', 'volunteer_id', 'category', name=op.f('pk_ledger_service_total')),
    sqlite_with_rowid=False
    )
    # The confirmed records that still count (not replaced by a correction), in one INSERT ... SELECT ... GROUP BY.
    rebuild_service_totals(op.get_bind())


def downgrade():
    op.drop_table('ledger_service_total')
