"""Schemas of the hour ledger's endpoints: service records, claims, gifts, certificates, the queue."""

from marshmallow import Schema, fields, validate

from ..ledger.categories import decision_note_text, ledger_categories
from .schemas import MAX_ID, PersonSchema, page_schema, person

STATUSES = ["pending", "confirmed", "rejected"]


class RecordSchema(Schema):
    id = fields.Integer(required=True)
    category = fields.String(required=True, metadata={"example": "ledger.elder_care"})
    category_label = fields.String(required=True)
    activity_name = fields.String(required=True)
    activity_date = fields.Date(required=True)
    started_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(required=True)
    minutes = fields.Integer(required=True)
    place = fields.String(required=True)
    content = fields.String(required=True)
    organising_unit = fields.String(required=True)
    activity_leader = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    is_backfill = fields.Boolean(required=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(required=True, metadata={
        "description": "The reason or remark of the decision (in the request's language when the system "
                       "wrote it)."})
    corrects_id = fields.Integer(allow_none=True, metadata={"description": "The record this one corrects."})
    superseded = fields.Boolean(required=True, metadata={"description": "A later correction replaced it."})
    created_at = fields.DateTime(required=True)


class QueueRecordSchema(RecordSchema):
    volunteer = fields.Nested(PersonSchema, required=True)
    volunteer_number = fields.String(allow_none=True)
    evidence_note = fields.String(required=True)
    overdue = fields.Boolean(required=True, metadata={"description": "Past the confirmation deadline."})


RecordPageSchema = page_schema(RecordSchema, "Record")
QueuePageSchema = page_schema(QueueRecordSchema, "QueueRecord")


def record_data(record, superseded=False):
    category = ledger_categories().get(record.category)
    return {
        "id": record.id, "category": record.category,
        "category_label": str(category.label) if category else record.category,
        "activity_name": record.activity_name, "activity_date": record.activity_date,
        "started_at": record.started_at, "ended_at": record.ended_at, "minutes": record.minutes,
        "place": record.place, "content": record.content, "organising_unit": record.organising_unit,
        "activity_leader": record.activity_leader, "status": record.status, "is_backfill": record.is_backfill,
        "decided_at": record.decided_at, "decision_note": decision_note_text(record),
        "corrects_id": record.corrects_id,
        "superseded": superseded, "created_at": record.created_at,
    }


def queue_record_data(record, volunteer_number, cutoff):
    return {**record_data(record), "volunteer": person(record.volunteer), "volunteer_number": volunteer_number,
            "evidence_note": record.evidence_note, "overdue": record.activity_date <= cutoff}


class RecordQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    category = fields.String(validate=validate.Length(max=60))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class ClaimSchema(Schema):
    category = fields.String(required=True, validate=validate.Length(min=1, max=60),
                             metadata={"example": "ledger.elder_care"})
    activity_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    started_at = fields.AwareDateTime(required=True, metadata={"example": "2026-05-01T08:00:00+08:00"})
    ended_at = fields.AwareDateTime(required=True, metadata={"example": "2026-05-01T10:00:00+08:00"})
    minutes = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=1440), metadata={
        "description": "Leave out to use the time from start to end, rounded by the community's rules."})
    place = fields.String(load_default="", validate=validate.Length(max=120))
    content = fields.String(load_default="", validate=validate.Length(max=2000))
    activity_leader = fields.String(load_default="", validate=validate.Length(max=60))
    evidence_note = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                                  metadata={"description": "e.g. the sign-in sheet, photos in the group chat."})


class GiftSchema(Schema):
    receiver = fields.String(required=True, validate=validate.Length(min=1, max=40),
                             metadata={"description": "The receiver's username or volunteer number."})
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000_000),
                             metadata={"description": "Credits in minutes (60 = 1 credit)."})
    note = fields.String(load_default="", validate=validate.Length(max=500))


class GiftResultSchema(Schema):
    receiver = fields.Nested(PersonSchema, required=True)
    minutes = fields.Integer(required=True)
    credit_minutes_left = fields.Integer(required=True, metadata={"description": "My credits after the gift."})


ISSUED_ON = ("The date of issue printed on the certificate: the day of `issued_at` in the issuing community's time "
             "zone.")


class CertificateRequestSchema(Schema):
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)


class CertificateSchema(Schema):
    number = fields.String(required=True, metadata={"example": "ZY2026-XFLQ-8888"})
    volunteer_name = fields.String(required=True)
    volunteer_number = fields.String(required=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    total_minutes = fields.Integer(required=True)
    record_count = fields.Integer(required=True)
    service_content = fields.String(required=True)
    star_level = fields.Integer(required=True)
    issuing_unit = fields.String(required=True)
    person_in_charge = fields.String(required=True)
    handler = fields.String(required=True)
    contact = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    issued_on = fields.Date(required=True, metadata={"description": ISSUED_ON})
    verify_url = fields.String(required=True)


class CertificateListSchema(Schema):
    items = fields.List(fields.Nested(CertificateSchema), required=True)


class VerifiedCertificateSchema(Schema):
    """What anybody may read about a certificate: what the public verification page shows."""

    number = fields.String(required=True)
    genuine = fields.Boolean(required=True)
    volunteer_name = fields.String(allow_none=True, metadata={"description": "null when erased on request."})
    volunteer_number = fields.String(required=True)
    total_minutes = fields.Integer(required=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    service_content = fields.String(required=True)
    issuing_unit = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    issued_on = fields.Date(required=True, metadata={"description": ISSUED_ON})


class QueueQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=60), metadata={"description": "Activity or volunteer name."})
    category = fields.String(validate=validate.Length(max=60))
    team = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    date_from = fields.Date()
    date_to = fields.Date()


class DecisionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))
    reason = fields.String(load_default="", validate=validate.Length(max=500),
                           metadata={"description": "Needed to reject; the volunteer reads it."})


class ManyDecisionsSchema(DecisionSchema):
    record_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)), required=True,
                             validate=validate.Length(min=1, max=2000))


class SkippedSchema(Schema):
    id = fields.Integer(required=True)
    message = fields.String(required=True)


class DecisionResultSchema(Schema):
    action = fields.String(required=True)
    done = fields.List(fields.Integer(), required=True, metadata={"description": "Ids of the records decided."})
    skipped = fields.List(fields.Nested(SkippedSchema), required=True,
                          metadata={"description": "Records not decided, with the reason."})
