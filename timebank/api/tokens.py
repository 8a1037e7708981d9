"""Access tokens of the JSON API: personal tokens (made on the account page) and short-lived login tokens.

A token is ``tb_`` followed by 43 random URL-safe characters. Only its SHA-256 hash is stored (the secret is long
and random, so a fast hash is enough, as for GitHub's tokens); the secret is shown once, when it is made. Tokens
are never logged and never put in the audit log.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..audit.services import record_audit
from ..clock import now
from ..errors import NotFound, ValidationFailed
from ..events import commit
from ..extensions import db
from ..i18n import _, _l, ngettext
from ..validation import clean_text
from .models import LOGIN, PERSONAL, ApiToken

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "tb_"

READ = "read"
CHECK_IN = "check-in"
COORDINATE = "coordinate"

#: The scopes a token may carry, in the order they are shown.
SCOPES = {
    READ: _l("Read: see my profile, hours, credits, shifts and what I may see in my communities"),
    CHECK_IN: _l("Act for myself: check in and out, sign up, claim hours, give credits, order meals, "
                 "ask for repairs, vote"),
    COORDINATE: _l("Coordinate: confirm or reject hours and run the work my role allows"),
}

#: Lifetimes offered for personal tokens, in days.
EXPIRY_CHOICES = (7, 30, 90, 365)
DEFAULT_EXPIRY_DAYS = 90
#: Last-used times are written at most this often (a busy client must not write on every request).
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def clean_scopes(scopes):
    """The requested scopes as a sorted, space-separated string; ``ValidationFailed`` for none or unknown ones."""
    chosen = [scope for scope in SCOPES if scope in set(scopes or [])]
    unknown = set(scopes or []) - set(SCOPES)
    if unknown:
        raise ValidationFailed(_("Unknown scope: %(scope)s.", scope=", ".join(sorted(unknown))), field="scopes")
    if not chosen:
        raise ValidationFailed(_("Choose at least one permission for the token."), field="scopes")
    return " ".join(chosen)


def create_personal_token(user, name, scopes, expires_in_days=DEFAULT_EXPIRY_DAYS):
    """Make a personal access token. Commits. Returns ``(token, secret)``: show the secret once, never store it."""
    name = clean_text(name, "name", 60, required=True, missing=_("Give the token a name, e.g. the app it is for."))
    scope_text = clean_scopes(scopes)
    try:
        days = int(expires_in_days)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Choose one of the options."), field="expires_in_days") from None
    if days not in EXPIRY_CHOICES:
        raise ValidationFailed(_("Choose one of the options."), field="expires_in_days")
    limit = current_app.config["API_MAX_TOKENS_PER_USER"]
    if len(active_tokens_of(user)) >= limit:
        raise ValidationFailed(ngettext("You have %(num)d active token, the most allowed. Revoke it if you no longer "
                                        "use it.", "You have %(num)d active tokens, the most allowed. Revoke one "
                                        "you no longer use.", limit), field="name")
    token, secret = _add_token(user, PERSONAL, name, scope_text, now() + timedelta(days=days))
    record_audit("api.token_created", actor=user, target=("api_token", token.id),
                 detail={"scopes": scope_text, "days": days})
    commit()
    logger.info("API token %s created for user %s", token.id, user.id)
    return token, secret


def create_login_token(user, scopes=None, client_name=""):
    """A short-lived token for a mobile client that logged in with username and password. Commits."""
    scope_text = clean_scopes(scopes if scopes else list(SCOPES))
    name = clean_text(client_name, "client_name", 60) or _("Mobile app")
    lifetime = timedelta(minutes=current_app.config["API_LOGIN_TOKEN_MINUTES"])
    token, secret = _add_token(user, LOGIN, name, scope_text, now() + lifetime, session_version=user.session_version)
    record_audit("api.login_token_created", actor=user, target=("api_token", token.id), detail={"scopes": scope_text})
    commit()
    return token, secret


def _add_token(user, kind, name, scope_text, expires_at, session_version=None):
    secret = _new_secret()
    token = ApiToken(user_id=user.id, kind=kind, name=name, prefix=secret[:8], token_hash=hash_token(secret),
                     scopes=scope_text, created_at=now(), expires_at=expires_at, session_version=session_version)
    db.session.add(token)
    db.session.flush()
    return token, secret


def token_for_secret(secret):
    """The live token for a presented secret, or ``None`` (unknown, revoked, expired, password changed, user
    disabled). Notes when it was last used, at most every few minutes."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or token.expires_at <= now():
        return None
    user = token.user
    if user is None or user.disabled:
        return None
    if token.kind == LOGIN and token.session_version != user.session_version:
        return None
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=moment)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        token.last_used_at = moment
    return token


def active_tokens_of(user):
    """Tokens of ``user`` that still work, newest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > now())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def recent_tokens_of(user, limit=50):
    """Every token of ``user`` (including revoked and expired ones, for the record), newest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(limit)
    ).all()


def token_of(user, token_id):
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise NotFound(token_id)
    return token


def revoke_token(token, actor):
    """Stop a token from working, at once. Commits. Revoking twice does nothing more."""
    if token.revoked_at is None:
        token.revoked_at = now()
        record_audit("api.token_revoked", actor=actor, target=("api_token", token.id))
        commit()
    return token


def revoke_all_tokens(user):
    """Revoke every token of ``user`` (e.g. when their data is erased). Commits."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now()).execution_options(synchronize_session=False))
    commit()


def token_status(token, moment=None):
    """"active", "expired" or "revoked"."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (moment or now()):
        return "expired"
    return "active"


def tokens_as_personal_data(user):
    """What the personal-data download says about the person's tokens (never the secrets or their hashes)."""
    return [{"name": token.name, "kind": token.kind, "prefix": token.prefix, "scopes": token.scope_list,
             "created_at": token.created_at.isoformat(), "expires_at": token.expires_at.isoformat(),
             "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
             "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}
            for token in recent_tokens_of(user, limit=1000)]
