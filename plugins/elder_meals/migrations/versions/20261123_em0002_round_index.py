"""elder_meals: the index on an order's delivery round holds only the orders that have one

SQLite's statistics (ANALYZE, PRAGMA optimize) count the NULLs of a full index as one value shared by every order
(most orders are eaten in or picked up): the planner then scanned every order for a round's. A partial index holds
only the delivered orders, and the planner uses it.

Revision ID: em0002
Revises: em0001
Create Date: 2026-11-23 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'em0002'
down_revision = 'em0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('elder_meals_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elder_meals_order_round_id'))
        batch_op.create_index('ix_elder_meals_order_round_id', ['round_id'], unique=False,
                              sqlite_where=sa.text('round_id IS NOT NULL'),
                              postgresql_where=sa.text('round_id IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('elder_meals_order', schema=None) as batch_op:
        batch_op.drop_index('ix_elder_meals_order_round_id')
        batch_op.create_index(batch_op.f('ix_elder_meals_order_round_id'), ['round_id'], unique=False)
