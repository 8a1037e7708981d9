"""The coordinators' confirmation queue: pending records, confirmed or rejected one at a time or many at once."""

from flask import g
from sqlalchemy import select

from ..communities.models import Membership
from ..extensions import db
from ..ledger import records as ledger_records
from ..ledger import reports
from ..permissions import require
from .auth import api_user, scope
from .blueprint import ApiBlueprint
from .schemas import PageQuerySchema, page_of
from .schemas_ledger import (
    DecisionResultSchema,
    DecisionSchema,
    ManyDecisionsSchema,
    QueuePageSchema,
    QueueQuerySchema,
    queue_record_data,
)
from .tokens import COORDINATE

bp = ApiBlueprint("api_queue", __name__, url_prefix="/api/v1/communities/<community>",
                  description="Hours waiting for confirmation (coordinators, and team leaders for their teams).")


class QueueListQuerySchema(PageQuerySchema, QueueQuerySchema):
    pass


def _volunteer_numbers(community, user_ids):
    if not user_ids:
        return {}
    return dict(db.session.execute(select(Membership.user_id, Membership.volunteer_number).where(
        Membership.community_id == community.id, Membership.user_id.in_(user_ids))).all())


@bp.route("/queue", methods=["GET"])
@bp.etag
@bp.arguments(QueueListQuerySchema, location="query")
@bp.response(200, QueuePageSchema)
def list_queue(query):
    """Pending records, oldest activity first (overdue ones lead)

    Needs the permission to confirm hours in the community (coordinators).
    """
    require(api_user(), "ledger.confirm", g.community)
    rows, total, cutoff = reports.queue_page(
        g.community, page=query["page"], per_page=query["per_page"], search=query.get("q", ""),
        team_id=query.get("team"), category=query.get("category"), date_from=query.get("date_from"),
        date_to=query.get("date_to"))
    numbers = _volunteer_numbers(g.community, {row.volunteer_id for row in rows})
    return page_of([queue_record_data(row, numbers.get(row.volunteer_id), cutoff) for row in rows], query["page"],
                   query["per_page"], total)


@bp.route("/queue/<int:record_id>/decision", methods=["POST"])
@scope(COORDINATE)
@bp.arguments(DecisionSchema)
@bp.response(200, DecisionResultSchema)
def decide_one(body, record_id):
    """Confirm or reject one pending record

    Coordinators decide any record; a team leader decides the records of activities they lead. Nobody decides
    their own. A rejection needs a `reason`, which the volunteer reads.
    """
    record = ledger_records.record_in(g.community, record_id)
    if body["action"] == "confirm":
        ledger_records.confirm(record, g.community, api_user())
    else:
        ledger_records.reject(record, g.community, api_user(), body["reason"])
    return {"action": body["action"], "done": [record.id], "skipped": []}


@bp.route("/queue/decisions", methods=["POST"])
@scope(COORDINATE)
@bp.arguments(ManyDecisionsSchema)
@bp.response(200, DecisionResultSchema)
def decide_many(body):
    """Confirm or reject many pending records at once

    Records that cannot be decided (already decided, above the daily limit, your own...) are listed in
    `skipped` with the reason; the others are decided.
    """
    user = api_user()
    require(user, "ledger.confirm", g.community)
    done, skipped = ledger_records.decide_many(g.community, user, body["record_ids"], body["action"],
                                               body["reason"])
    return {"action": body["action"], "done": [record.id for record in done],
            "skipped": [{"id": record.id, "message": str(message)} for record, message in skipped]}
