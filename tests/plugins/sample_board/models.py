"""The board's one table, ``sample_board_note`` (the plugin's prefix, as every plugin table must have).

A real plugin derives its models from ``timebank.extensions.db.Model``. This throwaway plugin keeps its table in
a ``MetaData`` of its own so that importing it in a test never adds a table to the core's ``db.metadata`` (which
other tests compare with the migrations). The tests create the table with ``create_tables()``.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from timebank.communities.models import Community
from timebank.db_types import UTCDateTime
from timebank.identity.models import User


class SampleBoardBase(DeclarativeBase):
    metadata = MetaData()


class SampleBoardNote(SampleBoardBase):
    __tablename__ = "sample_board_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey(Community.__table__.c.id, ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey(User.__table__.c.id))
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
