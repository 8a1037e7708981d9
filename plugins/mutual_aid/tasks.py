"""Tasks tab: answers waiting for the poster's decision; help to confirm; exchanges today or tomorrow."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from timebank.clock import now
from timebank.extensions import db
from timebank.i18n import _l
from timebank.permissions import can
from timebank.ui import TaskItem

from .models import Agreement, Listing, Response
from .services import confirmed_relatives


def tasks_for(user, community):
    people = [user.id, *(person.id for person in confirmed_relatives(community, user))]
    items = []
    answers = db.session.scalar(select(func.count(Response.id)).join(Listing, Listing.id == Response.listing_id).where(
        Listing.community_id == community.id, Listing.owner_id.in_(people), Listing.status == "open",
        Response.status == "pending"))
    if answers:
        items.append(TaskItem(label=_l("Answers to your posts"), endpoint="mutual_aid.index", count=answers, order=15))
    moment = now()
    zone = ZoneInfo(community.timezone)
    to_confirm = db.session.scalar(select(func.count(Agreement.id)).where(
        Agreement.community_id == community.id, Agreement.recipient_id.in_(people), Agreement.status == "agreed",
        Agreement.agreed_for < moment))
    if to_confirm:
        items.append(TaskItem(label=_l("Help to confirm"), endpoint="mutual_aid.index", count=to_confirm,
                              urgent=True, order=14))
    soon = db.session.scalars(select(Agreement).where(
        Agreement.community_id == community.id, Agreement.status == "agreed", Agreement.agreed_for >= moment,
        Agreement.agreed_for < moment + timedelta(days=2),
        (Agreement.helper_id.in_(people)) | (Agreement.recipient_id.in_(people)))).all()
    for agreement in soon:
        items.append(TaskItem(label=_l("Mutual aid soon"), endpoint="mutual_aid.agreement",
                              url_kwargs={"agreement_id": agreement.id},
                              detail=f"{agreement.agreed_for.astimezone(zone):%m-%d %H:%M} {agreement.listing.title}",
                              order=16))
    if can(user, "mutual_aid.manage", community):
        awaiting = db.session.scalar(select(func.count(Agreement.id)).where(
            Agreement.community_id == community.id, Agreement.status == "awaiting"))
        if awaiting:
            items.append(TaskItem(label=_l("Exchanges to confirm"), endpoint="mutual_aid.manage", count=awaiting,
                                  order=22))
    return items
