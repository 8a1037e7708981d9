"""The form on the account page that makes a personal access token."""

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import AppForm, select_choices
from ..i18n import _l
from .tokens import CHECK_IN, COORDINATE, DEFAULT_EXPIRY_DAYS, READ, SCOPES

EXPIRY_LABELS = {"7": _l("1 week"), "30": _l("30 days"), "90": _l("90 days"), "365": _l("1 year")}


class TokenForm(AppForm):
    name = StringField(_l("Name of the token"), validators=[
        DataRequired(_l("Give the token a name, e.g. the app it is for.")), Length(max=60)],
        description=_l("So that you recognise it later, e.g. “Mini-program” or “Records export”."),
        render_kw={"maxlength": 60, "autocomplete": "off"})
    scope_read = BooleanField(SCOPES[READ], default=True)
    scope_check_in = BooleanField(SCOPES[CHECK_IN])
    scope_coordinate = BooleanField(SCOPES[COORDINATE])
    expires_in_days = SelectField(_l("Valid for"), choices=select_choices(EXPIRY_LABELS.items()),
                                  default=str(DEFAULT_EXPIRY_DAYS))

    def chosen_scopes(self):
        return [scope for scope, chosen in ((READ, self.scope_read.data), (CHECK_IN, self.scope_check_in.data),
                                            (COORDINATE, self.scope_coordinate.data)) if chosen]
