"""ledger: a partial index on the records that correct another (which record corrected this one)

SQLite's statistics (ANALYZE, PRAGMA optimize) count the NULLs of the unique constraint's index on ``corrects_id``
as one value shared by every record; a query joining the volunteer then scans the whole table (70 ms at 400,000
records). The partial index holds only the corrections, and the planner uses it.

Revision ID: 0005ledger
Revises: 0004ledger
Create Date: 2026-11-23 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005ledger'
down_revision = '0004ledger'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ledger_service_record_corrects', 'ledger_service_record', ['corrects_id'], unique=False,
                    sqlite_where=sa.text('corrects_id IS NOT NULL'),
                    postgresql_where=sa.text('corrects_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_ledger_service_record_corrects', table_name='ledger_service_record')
