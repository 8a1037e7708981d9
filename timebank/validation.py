"""Small input checks shared by services; each raises ``ValidationFailed`` naming the form field."""

from .errors import ValidationFailed
from .i18n import _


def clean_text(value, field, limit, required=False, missing=None):
    """Stripped text of at most ``limit`` characters (``missing`` is the message when required and empty)."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(missing or _("This field is required."), field=field)
    if len(value) > limit:
        raise ValidationFailed(_("At most %(max)d characters.", max=limit), field=field)
    return value
