"""communities: a version of the plugins' switches and stored settings, read with the community

Each change of a switch or a stored setting that applies to a community gives it a new random value (an instance
setting every community). A worker keeps the configuration it read per community and reads it again only when the
version found with the community on the page's first statement has changed (``timebank.community_config``).

Revision ID: 0006communities
Revises: 0005ledger
Create Date: 2026-11-24 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006communities'
down_revision = '0005ledger'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('config_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('config_version')
