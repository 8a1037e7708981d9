"""Idempotency keys on POSTs that create things: a retried request is answered, not done twice.

A client that may retry (a QR scan over a bad mobile connection) sends ``Idempotency-Key: <any unique text>``.
The first request with that key (per user) runs and its successful answer is kept for
``API_IDEMPOTENCY_HOURS``; a retry with the same key and the same body gets the same answer again, with the header
``Idempotent-Replayed: true``, and changes nothing. The same key with a different request is refused (422). While
the first request is still running, a retry gets 409 and ``Retry-After``. An answer that is an error is not kept:
the retry runs again (and usually gets the same error).
"""

import hashlib
import logging
import re
from datetime import timedelta
from functools import wraps

from flask import current_app, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..extensions import db
from ..i18n import _
from .auth import api_user
from .errors import ApiProblem
from .models import IdempotencyRecord

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[\x21-\x7e]{1,120}$")  # printable ASCII, no spaces
#: A first request that has not finished after this long is taken to have died: a retry may run again.
STALE_AFTER = timedelta(minutes=2)

HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Any unique text (1–120 printable ASCII characters, e.g. a UUID). A retry with the same key "
                   "and body gets the first answer again and changes nothing.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": r"^[\x21-\x7e]+$"},
}


def _fingerprint():
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.path.encode("utf-8", "replace") + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record):
    response = current_app.response_class(record.body, status=record.status_code, mimetype=None,
                                          content_type=record.content_type or "application/json")
    if record.location:
        response.headers["Location"] = record.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _existing(user, key):
    return db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id,
                                                             IdempotencyRecord.key == key))


def _claim(user, key, fingerprint):
    """Insert the key (committed) before the work starts; returns ``None`` or the record that was there first."""
    cutoff = now() - timedelta(hours=current_app.config["API_IDEMPOTENCY_HOURS"])
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id,
                                                       IdempotencyRecord.created_at < cutoff))
    found = _existing(user, key)
    if found is not None and found.status_code is None and found.created_at < now() - STALE_AFTER:
        db.session.delete(found)
        found = None
    if found is None:
        try:
            db.session.add(IdempotencyRecord(user_id=user.id, key=key, request_hash=fingerprint,
                                             created_at=now()))
            db.session.commit()
            return None
        except IntegrityError:  # a concurrent request with the same key claimed it a moment ago
            db.session.rollback()
            found = _existing(user, key)
    db.session.commit()
    return found


def _release(user, key):
    db.session.rollback()
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id,
                                                       IdempotencyRecord.key == key,
                                                       IdempotencyRecord.status_code.is_(None)))
    db.session.commit()


def idempotent(view):
    """Decorate a creating POST view (above ``@blp.response``) to honour ``Idempotency-Key``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        user = api_user()
        if key is None or user is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not KEY_RE.match(key):
            raise ApiProblem(400, _("The Idempotency-Key must be 1 to 120 printable characters without spaces."),
                             code="invalid_idempotency_key")
        fingerprint = _fingerprint()
        found = _claim(user, key, fingerprint)
        if found is not None:
            if found.request_hash != fingerprint:
                raise ApiProblem(422, _("This Idempotency-Key was already used for a different request."),
                                 code="idempotency_key_reused")
            if found.status_code is None:
                raise ApiProblem(409, _("A request with this Idempotency-Key is still being processed. Try again "
                                        "in a moment."), code="idempotency_in_progress", headers={"Retry-After": "1"})
            return _replay(found)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            _release(user, key)
            raise
        if 200 <= response.status_code < 300:
            record = _existing(user, key)
            if record is not None:
                record.status_code = response.status_code
                record.content_type = response.content_type or ""
                record.location = (response.headers.get("Location") or "")[:300]
                record.body = response.get_data(as_text=True)
                db.session.commit()
        else:
            _release(user, key)
        return response

    apidoc = dict(getattr(wrapper, "_apidoc", {}))
    manual = dict(apidoc.get("manual_doc", {}))
    manual["parameters"] = [*manual.get("parameters", []), HEADER_DOC]
    apidoc["manual_doc"] = manual
    wrapper._apidoc = apidoc
    wrapper.api_idempotent = True
    return wrapper
