"""The volunteer's coming shifts as the home card lists them, read as plain columns.

A line (``qr_checkin/_shift_line.html``) shows a shift's times, its post's name and place, its leader and note. A
shift's full object comes with its post and its leader, every column of each: for the three lines the card shows on
every visit to the home page, reading those costs several times what the line's columns do. The lines keep the
objects' attribute names, so the same template shows either.
"""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from timebank.clock import now
from timebank.extensions import db
from timebank.identity.models import User
from timebank.ui import Shown

from .models import DutyPost, Shift, Signup
from .services import started_since


@dataclass(frozen=True)
class ShiftLine:
    id: int
    starts_at: datetime
    ends_at: datetime
    note: str
    post: Shown
    leader: Shown | None


def upcoming_lines(community, user, days=14, limit=3):
    """``services.upcoming_for(community, user, days, limit)`` as lines: soonest first."""
    moment = now()
    rows = db.session.execute(_upcoming_statement(limit), {
        "community_id": community.id, "user_id": user.id, "started_after": started_since(moment), "moment": moment,
        "until": moment + timedelta(days=days)})
    return [ShiftLine(shift_id, starts_at, ends_at, note, Shown(name=post_name, place=place),
                      Shown(display_name=leader) if leader is not None else None)
            for shift_id, starts_at, ends_at, note, post_name, place, leader in rows]


@functools.cache
def _upcoming_statement(limit):
    """Built once per limit, with the conditions and order of ``services.upcoming_for``."""
    return select(Shift.id, Shift.starts_at, Shift.ends_at, Shift.note, DutyPost.name, DutyPost.place,
                  User.display_name).join(Signup, Signup.shift_id == Shift.id).join(
        DutyPost, DutyPost.id == Shift.post_id).outerjoin(User, User.id == Shift.leader_id).where(
        Shift.community_id == bindparam("community_id"), Signup.user_id == bindparam("user_id"),
        Signup.status != "cancelled", Shift.cancelled_at.is_(None), Shift.starts_at > bindparam("started_after"),
        Shift.ends_at > bindparam("moment"), Shift.starts_at < bindparam("until")).order_by(
        Shift.starts_at, Shift.id).limit(limit)
