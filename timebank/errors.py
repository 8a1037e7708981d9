"""Domain errors. Services raise them; the core maps them to HTTP answers (400, 403, 404)."""

from flask_babel import LazyString


class TimebankError(Exception):
    """Base class; ``message`` is a translated, user-facing text.

    Raised with a lazy message (``_l("...", name=...)``), the error keeps it untranslated as ``lazy_message`` too,
    for a reason stored on a row and shown later in the reader's language (``timebank.stored_text``)."""

    status_code = 400

    def __init__(self, message="", **details):
        self.lazy_message = message if isinstance(message, LazyString) else None
        if self.lazy_message is not None:
            from .stored_text import text_now

            message = text_now(message)
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(TimebankError):
    """Input that breaks a business rule; nothing was written. ``field`` names the form field if any."""

    def __init__(self, message, field=None, **details):
        super().__init__(message, **details)
        self.field = field


class PermissionDenied(TimebankError):
    """The user may not do this (role too low, or not allowed by a plugin)."""

    status_code = 403

    def __init__(self, permission="", message=""):
        super().__init__(message or permission)
        self.permission = permission


class NotFound(TimebankError):
    """The object does not exist, or belongs to a community the user cannot see."""

    status_code = 404


class NotEnabled(NotFound):
    """The plugin is switched off for this community: its pages answer 404."""

    def __init__(self, plugin):
        super().__init__(plugin)
        self.plugin = plugin


class PluginStartupError(RuntimeError):
    """Plugins could not be loaded consistently (duplicate names, bad tables, misspelled hooks)."""
