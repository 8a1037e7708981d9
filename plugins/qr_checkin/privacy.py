"""The plugin's part of a person's data download, and erasure at their request."""

from sqlalchemy import delete, select

from timebank.events import commit
from timebank.extensions import db

from .models import Attendance, Insurance, Signup


def personal_data(user):
    attendances = db.session.scalars(select(Attendance).where(Attendance.user_id == user.id)).all()
    insurance = db.session.scalars(select(Insurance).where(Insurance.user_id == user.id)).all()
    return {
        "check_ins": [{"post": a.shift.post.name, "checked_in_at": a.checked_in_at.isoformat(),
                       "checked_out_at": a.checked_out_at.isoformat() if a.checked_out_at else None,
                       "minutes": a.minutes, "location_inside": a.location_inside} for a in attendances],
        "sign_ups": db.session.scalar(select(db.func.count(Signup.id)).where(Signup.user_id == user.id)),
        "insurance": [{"insurer": i.insurer, "policy_number": i.policy_number,
                       "valid_until": i.valid_until.isoformat()} for i in insurance],
    }


def erase(user, community):
    """Insurance details go; attendance stays (it is the evidence behind kept service records)."""
    db.session.execute(delete(Insurance).where(Insurance.user_id == user.id, Insurance.community_id == community.id))
    commit()
