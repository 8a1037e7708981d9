"""Schemas of the honour awards API. Names are the public names (masked unless the candidate agreed); statements,
scores, disqualification reasons and objections of other people are never part of them."""

from marshmallow import Schema, fields, validate

from .services import KIND_LABELS, LEVEL_LABELS, PHASE_LABELS


class CampaignSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"example": "2026年度最美家庭"})
    kind = fields.String(required=True, validate=validate.OneOf(list(KIND_LABELS)))
    kind_label = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(list(LEVEL_LABELS)))
    level_label = fields.String(required=True)
    year = fields.Integer(required=True)
    criteria = fields.String(required=True)
    quota = fields.Integer(required=True, metadata={"description": "How many may be honoured (0: no limit)."})
    phase = fields.String(required=True, validate=validate.OneOf(list(PHASE_LABELS)), metadata={
        "description": "upcoming, nominating, reviewing, voting, ready, notice, final or cancelled."})
    phase_label = fields.String(required=True)
    nominations_open_on = fields.Date(required=True)
    nominations_close_on = fields.Date(required=True)
    has_vote = fields.Boolean(required=True)
    vote_opens_on = fields.Date(allow_none=True)
    vote_closes_on = fields.Date(allow_none=True)
    award_on = fields.Date(required=True)


class CampaignListSchema(Schema):
    items = fields.List(fields.Nested(CampaignSchema), required=True)


class CandidateSchema(Schema):
    nomination_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "Masked (张*明) unless the candidate agreed."})
    motto = fields.String(required=True)


class ResultSchema(Schema):
    award_id = fields.Integer(required=True)
    name = fields.String(required=True)


class CampaignDetailSchema(CampaignSchema):
    candidates = fields.List(fields.Nested(CandidateSchema), required=True, metadata={
        "description": "The shortlist while the public vote is open (else empty)."})
    my_vote_today = fields.Integer(allow_none=True, metadata={
        "description": "The candidate my household (or I) voted for today, while the vote is open."})
    results = fields.List(fields.Nested(ResultSchema), required=True, metadata={
        "description": "Who was honoured, once the campaign is final."})


class VoteRequestSchema(Schema):
    nomination_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class VoteSchema(Schema):
    campaign_id = fields.Integer(required=True)
    nomination_id = fields.Integer(required=True)
    vote_day = fields.Date(required=True)
    message = fields.String(required=True)


class NoticeItemSchema(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    detail = fields.String(required=True)
    withdrawn = fields.Boolean(required=True, metadata={"description": "Taken off the notice after an objection."})


class NoticeSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    last_day = fields.Date(required=True, metadata={"description": "The last day objections are accepted."})
    accepting_objections = fields.Boolean(required=True)
    items = fields.List(fields.Nested(NoticeItemSchema), required=True)


class NoticeBoardSchema(Schema):
    open = fields.List(fields.Nested(NoticeSchema), required=True)
    closed = fields.List(fields.Nested(NoticeSchema), required=True)


class ObjectionRequestSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "What the objection is about (at least 10 characters)."})
    item_id = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=2**31 - 1), metadata={
        "description": "The line of the notice objected to; leave out (or 0) for the notice as a whole."})


class ObjectionSchema(Schema):
    id = fields.Integer(required=True)
    notice_id = fields.Integer(required=True)
    item_id = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    message = fields.String(required=True)


class HonourSchema(Schema):
    award_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "Masked unless the honoured person agreed."})
    kind = fields.String(required=True)
    level = fields.String(required=True)
    star_level = fields.Integer(required=True, metadata={"description": "For star volunteers: 1 to 5."})
    awarded_on = fields.Date(required=True)


class HonourGroupSchema(Schema):
    title = fields.String(required=True)
    honours = fields.List(fields.Nested(HonourSchema), required=True)


class HonourWallSchema(Schema):
    year = fields.Integer(required=True)
    years = fields.List(fields.Integer(), required=True, metadata={"description": "Years with honours."})
    groups = fields.List(fields.Nested(HonourGroupSchema), required=True)


class YearQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={
        "description": "Default: the latest year with honours."})
