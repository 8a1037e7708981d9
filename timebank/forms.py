"""Shared form pieces. Every form is an ``AppForm`` (a Flask-WTF form): CSRF-protected, errors shown beside the field."""

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, widgets
from wtforms.fields.choices import SelectChoice


class AppForm(FlaskForm):
    """The base of every form: a Flask-WTF form whose hidden fields (the CSRF token, a button's value) render with no
    ``id``. They have no label to point at, and a page with a form per row (a team's members, the duty posts, the
    canteen roster) would otherwise repeat ``id="csrf_token"`` dozens of times: invalid HTML, and assistive
    technology that follows ids can land on the wrong element."""

    class Meta:
        def render_field(self, field, render_kw):
            if field.type in ("HiddenField", "CSRFTokenField") and "id" not in render_kw:
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)


class ActionForm(AppForm):
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


class QuickSelect(widgets.Select):
    """WTForms' ``Select`` widget, the same HTML written faster, for the long lists of a district: a community's
    households are some six hundred options, and WTForms spends about 10 µs on each (a choice object, then
    ``html_params``): 6 ms of a form page. An option with ``render_kw`` or a boolean value is left to WTForms."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        html = [f"<select {widgets.html_params(name=field.name, **kwargs)}>"]
        if field.has_groups():
            for group, choices in field.iter_groups():
                if group is not None:
                    html.append(f"<optgroup {widgets.html_params(label=group)}>")
                self._options(html, choices)
                if group is not None:
                    html.append("</optgroup>")
        else:
            self._options(html, field.iter_choices())
        html.append("</select>")
        return Markup("".join(html))  # nosec B704 (every value and label escaped above)

    def _options(self, html, choices):
        for choice in choices:
            if choice.render_kw or isinstance(choice.value, bool):
                html.append(self.render_option(choice))
            else:  # what ``render_option`` writes: its attributes sorted by name, all escaped
                selected = "selected " if choice.selected else ""
                html.append(f'<option {selected}value="{escape(choice.value)}">'
                            f"{escape(choice.label or choice.value)}</option>")
