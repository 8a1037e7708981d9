"""Accounts: creation, authentication, passwords, language and elder-mode preferences."""

import logging
import re
import unicodedata

from flask import current_app
from sqlalchemy import select

from ..audit.services import record_audit
from ..clock import now
from ..errors import ValidationFailed
from ..events import commit
from ..extensions import db
from ..i18n import _, supported_locale
from .models import User

logger = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9-]{4,18}$")


def normalise_username(username):
    return (username or "").strip().lower()


def check_username(username):
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            _("Use 3–40 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or "
              "digit."), field="username")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(_("This username is already taken. Choose another one."), field="username")


def check_password_rules(password, username=""):
    """Raise ``ValidationFailed`` with a clear message when a new password is too weak."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    password = password or ""
    if len(password) < minimum or len(password) > 128:
        raise ValidationFailed(_("Use at least %(n)d characters.", n=minimum), field="password")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[0-9]", password):
        raise ValidationFailed(_("Use both letters and digits."), field="password")
    if username and username.lower() in password.lower():
        raise ValidationFailed(_("The password must not contain the username."), field="password")


def normalise_phone(phone, field="phone", message=None):
    """Digits (and a leading +) only, or ``None``; ``ValidationFailed`` naming ``field`` for something that is not a
    number. Takes what people write for a mobile or an office line: 13812345678, 021-12345678, 010 1234 5678,
    (0755) 8888 6666, +86 138 1234 5678, an extension after a dash (021-12345678-801)."""
    # Chinese input methods often type full-width digits (１３８...): NFKC turns them into ASCII ones.
    phone = re.sub(r"[\s()]", "", unicodedata.normalize("NFKC", phone or ""))
    if not phone:
        return None
    if not PHONE_RE.match(phone):
        raise ValidationFailed(message or _("Enter a phone number with digits only, e.g. 13800138000."), field=field)
    return phone


def new_user(username, display_name, password=None, phone="", created_by=None, allow_no_password=False,
             locale=None):
    """Create (add and flush, not commit) an account after checking every rule."""
    username = normalise_username(username)
    display_name = (display_name or "").strip()
    check_username(username)
    if not display_name or len(display_name) > 60:
        raise ValidationFailed(_("Enter a name of at most 60 characters."), field="display_name")
    phone = normalise_phone(phone)
    if password is None:
        if not allow_no_password:
            raise ValidationFailed(_("Enter a password."), field="password")
    else:
        check_password_rules(password, username)
    user = User(username=username, display_name=display_name, phone=phone,
                locale=locale or current_app.config["BABEL_DEFAULT_LOCALE"], created_at=now(),
                created_by_id=getattr(created_by, "id", None))
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def password_login(username, password):
    """The built-in check behind ``timebank_authenticate``: the user, or ``None``."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        # Spend the same time as a real check, so that response times do not reveal which usernames exist.
        User(password_hash=_dummy_hash()).check_password(password)
        return None
    if not user.can_log_in or not user.check_password(password):
        return None
    return user


def _dummy_hash():
    """A hash made with the configured method, kept per application."""
    if "timebank_dummy_hash" not in current_app.extensions:
        from werkzeug.security import generate_password_hash

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        current_app.extensions["timebank_dummy_hash"] = generate_password_hash("not-a-real-password", method=method)
    return current_app.extensions["timebank_dummy_hash"]


def authenticate(username, password):
    """Ask the plugins (the built-in password check last); the ``User`` or ``None``. Records the attempt."""
    from ..hooks import plugin_system

    username = normalise_username(username)
    result = plugin_system().pm.hook.timebank_authenticate(username=username, password=password or "")
    # A plugin (e.g. a PIN login for elders) may log in someone without a password; disabled accounts never.
    user = result if isinstance(result, User) and not result.disabled else None
    if user is None:
        record_audit("auth.login_failed", detail={"username": username[:40]})
        commit()
        return None
    user.last_login_at = now()
    record_audit("auth.login", actor=user)
    commit()
    return user


def change_password(user, current_password, new_password):
    """Change one's own password; every other session of this person is logged out. Commits."""
    if not user.check_password(current_password):
        raise ValidationFailed(_("The current password is not correct."), field="current_password")
    check_password_rules(new_password, user.username)
    user.set_password(new_password)
    user.session_version += 1
    record_audit("auth.password_changed", actor=user, target=("user", user.id))
    commit()


def reset_password(user, new_password):
    """Set a new password and log the person out everywhere (the caller checks who may do this)."""
    check_password_rules(new_password, user.username)
    user.set_password(new_password)
    user.session_version += 1


def set_locale(user, locale):
    if not supported_locale(locale):
        raise ValidationFailed(_("Unknown language."), field="locale")
    user.locale = locale
    commit()


def set_elder_mode(user, enabled):
    user.elder_mode = bool(enabled)
    commit()


def update_profile(user, actor, display_name, phone, community=None):
    """Change name and phone (by the person, or by a coordinator acting for them). Commits."""
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 60:
        raise ValidationFailed(_("Enter a name of at most 60 characters."), field="display_name")
    user.display_name = display_name
    user.phone = normalise_phone(phone)
    record_audit("user.profile_updated", actor=actor, community=community, target=("user", user.id),
                 on_behalf_of=user if actor.id != user.id else None)
    commit()


def user_by_id(user_id):
    return db.session.get(User, user_id)


def create_district_admin(username, display_name, password):
    """An account that administers every community of this installation. Commits."""
    user = new_user(username=username, display_name=display_name, password=password)
    user.is_district_admin = True
    record_audit("user.district_admin_created", target=("user", user.id))
    commit()
    return user
