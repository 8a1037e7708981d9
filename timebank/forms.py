"""Shared form pieces. Every form is a Flask-WTF form: CSRF-protected, errors shown beside the field."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice


class ActionForm(FlaskForm):
    """A button-only form (approve, switch on, mark read): carries just the CSRF token and an optional value."""

    value = HiddenField()


def apply_domain_error(form, error):
    """Show a ``ValidationFailed`` next to its field (or on the form when it names none). Returns False."""
    field = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if field is not None:
        field.errors = [*list(field.errors or []), error.message]
    else:
        form.form_errors.append(error.message)
    return False


def select_choices(pairs):
    """``[(value, label), ...]`` → WTForms ``SelectChoice`` objects (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]
