"""Schemas of the QR check-in API."""

from marshmallow import Schema, fields, validate


class PostSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    place = fields.String(required=True)
    kind = fields.String(required=True)
    risky = fields.Boolean(required=True)


class ShiftSchema(Schema):
    id = fields.Integer(required=True)
    post = fields.Nested(PostSchema, required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    capacity = fields.Integer(required=True)
    confirmed = fields.Integer(required=True, metadata={"description": "Places taken."})
    waiting = fields.Integer(required=True, metadata={"description": "People on the waiting list."})
    my_signup = fields.String(allow_none=True, validate=validate.OneOf(["confirmed", "waitlist"]),
                              metadata={"description": "My place: confirmed, waitlist, or null."})
    note = fields.String(required=True)


class ShiftListSchema(Schema):
    items = fields.List(fields.Nested(ShiftSchema), required=True)


class ShiftQuerySchema(Schema):
    days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=60),
                          metadata={"description": "How many days ahead."})


class AttendanceSchema(Schema):
    id = fields.Integer(required=True)
    shift_id = fields.Integer(required=True)
    post_name = fields.String(required=True)
    checked_in_at = fields.DateTime(required=True)
    checked_out_at = fields.DateTime(allow_none=True)
    minutes = fields.Integer(required=True, metadata={"description": "Minutes on post (after check-out)."})
    auto_closed = fields.Boolean(required=True, metadata={"description": "A forgotten check-out closed for you."})
    record_id = fields.Integer(allow_none=True, metadata={"description": "The service record sent for confirmation."})
    no_hours_reason = fields.String(required=True, metadata={
        "description": "Why no hours were recorded, in the language of the request; empty when they were."})


class MyShiftsSchema(Schema):
    upcoming = fields.List(fields.Nested(ShiftSchema), required=True)
    recent_attendance = fields.List(fields.Nested(AttendanceSchema), required=True)


class SignupSchema(Schema):
    shift_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["confirmed", "waitlist"]))
    message = fields.String(required=True)


class ScanRequestSchema(Schema):
    token = fields.String(validate=validate.Length(min=1, max=600), metadata={
        "description": "The scanned code: the token, or the whole address printed in the QR code."})
    code = fields.String(validate=validate.Length(min=1, max=12), metadata={
        "description": "Or the six-digit fallback code shown on the post's screen."})
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))


class ScanResultSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["checked_in", "checked_out", "repeated"]))
    message = fields.String(required=True)
    post = fields.Nested(PostSchema, required=True)
    shift = fields.Nested(ShiftSchema, required=True)
    attendance = fields.Nested(AttendanceSchema, allow_none=True)
