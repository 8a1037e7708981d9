"""My service records (paged, filtered) and claims of hours served."""

from flask import g, url_for

from ..errors import NotFound
from ..ledger import corrections as ledger_corrections
from ..ledger import records as ledger_records
from ..ledger import reports
from ..ledger.claims import claim_hours
from .auth import api_user, scope
from .blueprint import ApiBlueprint
from .idempotency import idempotent
from .schemas import PageQuerySchema, page_of
from .schemas_ledger import ClaimSchema, RecordPageSchema, RecordQuerySchema, RecordSchema, record_data
from .tokens import CHECK_IN

bp = ApiBlueprint("api_records", __name__, url_prefix="/api/v1/communities/<community>",
                  description="My volunteer service records in a community, and claims of hours.")


class RecordListQuerySchema(PageQuerySchema, RecordQuerySchema):
    pass


@bp.route("/records", methods=["GET"])
@bp.etag
@bp.arguments(RecordListQuerySchema, location="query")
@bp.response(200, RecordPageSchema)
def list_records(query):
    """My service records, newest first

    Filter by `status`, `category` and `year`. Corrected records stay in the list with `superseded: true`.
    """
    rows, total = reports.history_page(g.community, api_user(), status=query.get("status"),
                                       category=query.get("category"), year=query.get("year"), page=query["page"],
                                       per_page=query["per_page"])
    superseded = reports.superseded_ids(rows)
    return page_of([record_data(row, row.id in superseded) for row in rows], query["page"], query["per_page"], total)


@bp.route("/records/<int:record_id>", methods=["GET"])
@bp.etag
@bp.response(200, RecordSchema)
def show_record(record_id):
    """One of my service records"""
    record = ledger_records.record_in(g.community, record_id)
    if record.volunteer_id != api_user().id:
        raise NotFound(record_id)
    return record_data(record, ledger_corrections.corrected_by(record) is not None)


@bp.route("/claims", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(ClaimSchema)
@bp.response(201, RecordSchema)
def create_claim(body):
    """Claim hours served (sent to the coordinators for confirmation)

    Needs the `check-in` scope. The hours count once a coordinator or the activity's leader confirms them.
    """
    user = api_user()
    record = claim_hours(g.community, user, user, category=body["category"], activity_name=body["activity_name"],
                         started_at=body["started_at"], ended_at=body["ended_at"], minutes=body.get("minutes"),
                         place=body["place"], content=body["content"], activity_leader=body["activity_leader"],
                         evidence_note=body["evidence_note"])
    return record_data(record), 201, {"Location": url_for("api_records.show_record", record_id=record.id)}
