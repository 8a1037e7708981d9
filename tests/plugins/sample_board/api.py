"""The board's API endpoints, mounted by the core at ``/api/v1/communities/<community>/p/sample-board/``."""

from flask import g
from marshmallow import Schema, fields, validate

from timebank.api import CHECK_IN, ApiBlueprint, api_user, idempotent, scope

from . import services

bp = ApiBlueprint("sample_board_api", __name__, description="The sample notice board.")


class NoteSchema(Schema):
    id = fields.Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


class NoteListSchema(Schema):
    items = fields.List(fields.Nested(NoteSchema), required=True)


@bp.route("/notes", methods=["GET"])
@bp.etag
@bp.response(200, NoteListSchema)
def list_notes():
    """The notes on the board"""
    return {"items": [{"id": note.id, "text": note.text} for note in services.notes_in(g.community)]}


@bp.route("/notes", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(NoteSchema)
@bp.response(201, NoteSchema)
def create_note(body):
    """Pin a note"""
    note = services.post_note(g.community, api_user(), body["text"])
    return {"id": note.id, "text": note.text}
