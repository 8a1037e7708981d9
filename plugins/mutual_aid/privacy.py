"""The exchange's part of a person's data download, and erasure at their request."""

from sqlalchemy import or_, select, update

from timebank.events import commit
from timebank.extensions import db

from .models import Agreement, Listing, Profile, Report, Response


def personal_data(user):
    listings = db.session.scalars(select(Listing).where(Listing.owner_id == user.id)).all()
    agreements = db.session.scalars(select(Agreement).where(
        or_(Agreement.helper_id == user.id, Agreement.recipient_id == user.id))).all()
    profile = db.session.scalar(select(Profile).where(Profile.user_id == user.id))
    return {
        "posts": [{"kind": item.kind, "title": item.title, "description": item.description,
                   "created_at": item.created_at.isoformat(), "status": item.status} for item in listings],
        "answers": [response.message for response in
                    db.session.scalars(select(Response).where(Response.person_id == user.id))],
        "agreements": [{"title": a.listing.title, "helper": a.helper_id == user.id, "status": a.status,
                        "minutes": a.actual_minutes, "rating": a.rating, "comment": a.comment,
                        "credits_minutes": a.credits_minutes} for a in agreements],
        "profile": None if profile is None else {"birth_year": profile.birth_year,
                                                 "priority_elder": profile.priority_elder,
                                                 "verified": profile.verified, "suspended": profile.suspended},
    }


def erase(user, community):
    """Free texts and the profile go; agreements stay (they explain moved credits), without their comments."""
    own = (Listing.owner_id == user.id) & (Listing.community_id == community.id)
    db.session.execute(update(Listing).where(own, Listing.status == "open").values(status="withdrawn"))
    db.session.execute(update(Listing).where(own).values(description="", title="—"))
    db.session.execute(update(Response).where(Response.person_id == user.id).values(message=""))
    db.session.execute(update(Agreement).where(Agreement.community_id == community.id, or_(
        Agreement.helper_id == user.id, Agreement.recipient_id == user.id)).values(comment=""))
    db.session.execute(update(Profile).where(Profile.user_id == user.id, Profile.community_id == community.id)
                       .values(birth_year=None, note=""))
    db.session.execute(update(Report).where(Report.community_id == community.id, Report.reporter_id == user.id)
                       .values(text="—"))
    commit()
