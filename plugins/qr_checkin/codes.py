"""Which post a scanned QR code or a typed six-digit fallback code opens now (the web pages and the API)."""

import functools

from sqlalchemy import bindparam, select

from timebank.communities.models import Community
from timebank.communities.services import keep_visitor, visitor_parameters, with_visitor
from timebank.errors import NotFound
from timebank.extensions import db
from timebank.plugin_state import is_enabled

from . import services, tokens
from .models import DutyPost


def post_for_token(token, community=None):
    """``(post, community, method)`` for a post token that opens its post now.

    :raises tokens.InvalidToken: with ``reason`` invalid, expired, withdrawn or policy; also for a post of another
        community than ``community`` (when given), as if the code were unknown.
    :raises NotFound: the plugin is off in the post's community (answered like any unknown address).
    """
    payload = tokens.read_token(token)
    post, found = _post_and_community(int(payload["p"])) if payload["k"] in ("s", "r") else (None, None)
    if post is None or (community is not None and post.community_id != community.id):
        raise tokens.InvalidToken("invalid")
    found = community or found
    if not is_enabled("qr_checkin", found):
        raise NotFound("qr_checkin")
    tokens.check_post_payload(payload, post, services.checkin_settings(found).rotate_grace_windows)
    return post, found, "rotating" if payload["k"] == "r" else "static"


def _post_and_community(post_id):
    """``(post, its community)`` in one statement (the hot path of the check-in rush), or ``(None, None)``; the
    same statement reads the person scanning and their membership there (``with_visitor``)."""
    row = db.session.execute(_post_community_and_visitor(), {"post_id": post_id, **visitor_parameters()}).first()
    if row is None:
        return None, None
    keep_visitor(*row[1:])
    return row[0], row[1]


@functools.cache
def _post_community_and_visitor():
    """Built once (a built statement also keeps its cache key)."""
    return with_visitor(select(DutyPost, Community).join(Community, Community.id == DutyPost.community_id)
                        .where(DutyPost.id == bindparam("post_id")))


def post_for_fallback_code(community, code):
    """The rotating-code post whose six-digit fallback code is ``code`` now, or ``None``."""
    settings = services.checkin_settings(community)
    return next((post for post in services.posts_in(community)
                 if post.checkin_policy == "rotating" and tokens.code_matches(
                     post, code, settings.fallback_seconds, settings.rotate_grace_windows)), None)
