"""Marshmallow schemas shared by every part of the API: problems, pages of results, people, communities.

Plugins build their own schemas with the same pieces (``page_schema``, ``PageQuerySchema``, ``PersonSchema``).
"""

from marshmallow import Schema, fields, validate

from ..web import MAX_PAGE

DEFAULT_PER_PAGE = 30
#: The highest id a row can have (ids are 32-bit integers in PostgreSQL): larger ones are refused, never queried.
MAX_ID = 2**31 - 1
MAX_PER_PAGE = 100


class FieldErrorSchema(Schema):
    field = fields.String(allow_none=True, metadata={"description": "The input field (dotted path), or null."})
    message = fields.String(required=True, metadata={"description": "What is wrong, in the caller's language."})


class ProblemSchema(Schema):
    """An error (RFC 9457 problem details)."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    status = fields.Integer(required=True, metadata={"example": 422})
    code = fields.String(required=True, metadata={
        "description": "Stable, for programs: bad_request, invalid_json, unauthorized, invalid_token, forbidden, "
                       "insufficient_scope, not_found, method_not_allowed, conflict, busy, "
                       "idempotency_in_progress, idempotency_key_reused, invalid_idempotency_key, "
                       "validation_failed, ledger_rejected, rate_limited, internal_error...",
        "example": "validation_failed"})
    title = fields.String(required=True)
    detail = fields.String(required=True, metadata={"description": "What happened, in the caller's language."})
    instance = fields.String(metadata={"description": "The path that was requested."})
    errors = fields.List(fields.Nested(FieldErrorSchema), metadata={"description": "Errors per input field."})


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              metadata={"description": f"Items per page (at most {MAX_PER_PAGE})."})


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items in all pages together."})
    pages = fields.Integer(required=True, metadata={"description": "Number of pages (0 when there are no items)."})


def page_schema(item_schema, name):
    """A page of ``item_schema`` objects: ``{"items": [...], "page", "per_page", "total", "pages"}``."""
    return type(f"{name}PageSchema", (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)})


def page_of(items, page, per_page, total):
    """The body of a page (see :func:`page_schema`)."""
    return {"items": list(items), "page": page, "per_page": per_page, "total": int(total or 0),
            "pages": (int(total or 0) + per_page - 1) // per_page}


class PersonSchema(Schema):
    """Another member, as far as the caller may see them."""

    id = fields.Integer(required=True)
    display_name = fields.String(required=True)


class CommunityRefSchema(Schema):
    slug = fields.String(required=True, metadata={"example": "maple"})
    name = fields.String(required=True, metadata={"example": "枫林社区"})


def person(user):
    return {"id": user.id, "display_name": user.display_name} if user is not None else None


def community_ref(community):
    return {"slug": community.slug, "name": community.name}


class MessageSchema(Schema):
    """A short answer to an action, in the caller's language."""

    message = fields.String(required=True)
