"""repair_team: an index on who entered an order

A person's own requests are those they asked for or entered for somebody else (``requests_of``, on the home card
and in the Tasks number of every page). With only the requester indexed, the planner read every order of the
community, years of them, for each of those lookups; with both indexed it reads the person's orders only.

Revision ID: rt0002
Revises: rt0001
Create Date: 2026-11-23 18:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'rt0002'
down_revision = 'rt0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('repair_team_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repair_team_order_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('repair_team_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repair_team_order_created_by_id'))
