"""Tables of the JSON API: access tokens and the responses kept for idempotency keys."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime
from ..extensions import db

#: A token the person created on their account page (for a mini-program, a script, a district system).
PERSONAL = "personal"
#: A short-lived token a mobile client obtained with username and password.
LOGIN = "login"


class ApiToken(db.Model):
    """A bearer token. Only a SHA-256 hash of the secret is stored; the secret is shown once, at creation."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=PERSONAL)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    # The first characters of the token ("tb_Xy3k9"), shown in lists so that a person recognises their token.
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    scopes: Mapped[str] = mapped_column(String(80), nullable=False)  # space-separated, e.g. "read check-in"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Login tokens die with the sessions when the password changes (the account's session version moves on).
    session_version: Mapped[int | None] = mapped_column(Integer, nullable=True)

    user = relationship("User", lazy="joined")

    @property
    def scope_list(self):
        return self.scopes.split()


class IdempotencyRecord(db.Model):
    """The response to a POST sent with an ``Idempotency-Key`` header, replayed when the same key comes again."""

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    # What the key was used for (method, path and a hash of the body): the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None while the first request runs
    content_type: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    location: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
