"""Tasks tab: answers waiting for the poster's decision; help to confirm; exchanges today or tomorrow."""

import functools
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select

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
    moment = now()
    values = {"community_id": community.id, "people": people, "moment": moment,
              "until": moment + timedelta(days=2)}
    answers = db.session.scalar(_answers_statement(), values)
    if answers:
        items.append(TaskItem(label=_l("Answers to your posts"), endpoint="mutual_aid.index", count=answers, order=15))
    zone = ZoneInfo(community.timezone)
    to_confirm = db.session.scalar(_to_confirm_statement(), values)
    if to_confirm:
        items.append(TaskItem(label=_l("Help to confirm"), endpoint="mutual_aid.index", count=to_confirm,
                              urgent=True, order=14))
    for agreement in db.session.scalars(_soon_statement(), values).all():
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


# Built once each (a built statement also keeps its cache key): a person's Tasks number runs them.


@functools.cache
def _answers_statement():
    return select(func.count(Response.id)).join(Listing, Listing.id == Response.listing_id).where(
        Listing.community_id == bindparam("community_id"), Listing.owner_id.in_(bindparam("people", expanding=True)),
        Listing.status == "open", Response.status == "pending")


@functools.cache
def _to_confirm_statement():
    return select(func.count(Agreement.id)).where(
        Agreement.community_id == bindparam("community_id"),
        Agreement.recipient_id.in_(bindparam("people", expanding=True)), Agreement.status == "agreed",
        Agreement.agreed_for < bindparam("moment"))


@functools.cache
def _soon_statement():
    people = bindparam("people", expanding=True)
    return select(Agreement).where(
        Agreement.community_id == bindparam("community_id"), Agreement.status == "agreed",
        Agreement.agreed_for >= bindparam("moment"), Agreement.agreed_for < bindparam("until"),
        Agreement.helper_id.in_(people) | Agreement.recipient_id.in_(people))
