"""Signed tokens behind the QR codes, and the 6-digit fallback codes.

* **Poster token** (printed at the post): names the post and the post's token version; never expires, but
  raising the post's version invalidates every printed copy.
* **Rotating token** (kiosk on a leader's phone or a screen): names the post and a time window of
  ``rotate_seconds``; accepted in its window and the following grace window(s) only, so a screenshot shared to
  a group chat stops working quickly.
* **Fallback code**: six digits derived from the post and a longer window, typed by people whose camera fails.
* **Personal token** ("my code"): names a volunteer and their community; shown on the volunteer's phone and
  scanned by the leader; it changes every minute and is accepted for ten.

Windows are counted with the application's clock, so tests can freeze and move time.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from timebank.clock import now

PERSONAL_WINDOW_SECONDS = 60
PERSONAL_VALID_WINDOWS = 10


class InvalidToken(Exception):
    """Forged, damaged, expired or withdrawn. ``reason`` is one of: invalid, expired, withdrawn, policy."""

    def __init__(self, reason="invalid"):
        super().__init__(reason)
        self.reason = reason


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="timebank.qr_checkin")


def _window(seconds, moment=None):
    return int((moment or now()).timestamp()) // max(int(seconds), 1)


def poster_token(post):
    return _serializer().dumps({"k": "s", "p": post.id, "v": post.token_version})


def rotating_token(post, moment=None):
    return _serializer().dumps({"k": "r", "p": post.id, "v": post.token_version,
                                "w": _window(post.rotate_seconds, moment)})


def personal_token(user, community, moment=None):
    return _serializer().dumps({"k": "u", "u": user.id, "c": community.id,
                                "w": _window(PERSONAL_WINDOW_SECONDS, moment)})


def read_token(token):
    """The payload of a valid signature, or ``InvalidToken("invalid")``."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise InvalidToken("invalid") from None
    if not isinstance(payload, dict) or payload.get("k") not in ("s", "r", "u"):
        raise InvalidToken("invalid")
    return payload


def check_post_payload(payload, post, grace_windows):
    """Raise ``InvalidToken`` unless the token still opens ``post`` now."""
    if payload.get("v") != post.token_version or not post.active:
        raise InvalidToken("withdrawn")
    if (payload["k"] == "s") != (post.checkin_policy == "static"):
        raise InvalidToken("policy")  # a printed code at a post that uses rotating codes (or the other way round)
    if payload["k"] == "r":
        age = _window(post.rotate_seconds) - int(payload.get("w", -10**9))
        if age < 0 or age > grace_windows:
            raise InvalidToken("expired")


def check_personal_payload(payload):
    age = _window(PERSONAL_WINDOW_SECONDS) - int(payload.get("w", -10**9))
    if age < 0 or age > PERSONAL_VALID_WINDOWS:
        raise InvalidToken("expired")


def fallback_code(post, fallback_seconds, moment=None, offset=0):
    """Six digits for the current (or an earlier, ``offset`` windows back) fallback window of ``post``."""
    window = _window(fallback_seconds, moment) - offset
    message = f"{post.id}:{post.token_version}:{window}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def code_matches(post, code, fallback_seconds, grace_windows):
    code = "".join(character for character in str(code or "") if character.isdigit())
    if len(code) != 6:
        return False
    return any(hmac.compare_digest(code, fallback_code(post, fallback_seconds, offset=offset))
               for offset in range(grace_windows + 1))


def seconds_left(seconds, moment=None):
    """Seconds until the current window of ``seconds`` ends (for the kiosk's countdown)."""
    timestamp = int((moment or now()).timestamp())
    return seconds - timestamp % seconds
