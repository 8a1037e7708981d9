"""Small input checks shared by services; each raises ``ValidationFailed`` naming the form field."""

from .errors import ValidationFailed
from .i18n import _l


def clean_text(value, field, limit, required=False, missing=None):
    """Stripped text of at most ``limit`` characters (``missing`` is the message when required and empty)."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(missing or _l("This field is required."), field=field)
    if len(value) > limit:
        raise ValidationFailed(_l("At most %(max)d characters.", max=limit), field=field)
    return value
