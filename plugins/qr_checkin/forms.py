from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from timebank.forms import AppForm, select_choices
from timebank.i18n import _l

from .services import POLICY_LABELS, POST_KIND_LABELS

WEEKDAYS = [("0", _l("Mon")), ("1", _l("Tue")), ("2", _l("Wed")), ("3", _l("Thu")), ("4", _l("Fri")),
            ("5", _l("Sat")), ("6", _l("Sun"))]


class PostForm(AppForm):
    name = StringField(_l("Name of the post"), validators=[DataRequired(_l("Enter a name.")), Length(max=60)],
                       description=_l("e.g. 北门岗亭, 幸福路路口文明劝导岗, 夜间巡逻路线"))
    kind = SelectField(_l("Kind of duty"), choices=select_choices(POST_KIND_LABELS.items()))
    place = StringField(_l("Where exactly"), validators=[Length(max=120)])
    description = TextAreaField(_l("What the volunteers do"), validators=[Length(max=2000)], render_kw={"rows": 3})
    team_id = SelectField(_l("Team"), choices=[], coerce=int, validate_choice=False)
    risky = BooleanField(_l("Risky duty (night patrol, traffic): insurance must be on file"))
    checkin_policy = SelectField(_l("How volunteers check in"), choices=select_choices(POLICY_LABELS.items()))
    rotate_seconds = IntegerField(_l("Rotating code changes every (seconds)"), default=30,
                                  validators=[InputRequired(), NumberRange(min=10, max=600)],
                                  render_kw={"inputmode": "numeric"})
    latitude = FloatField(_l("Latitude (optional location check)"), validators=[Optional()],
                          render_kw={"inputmode": "decimal"})
    longitude = FloatField(_l("Longitude"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    radius_m = IntegerField(_l("Radius in metres"), validators=[Optional()], render_kw={"inputmode": "numeric"},
                            description=_l("Phones report only whether they are inside this circle; the position "
                                           "itself is never stored. Location is never the only evidence."))


class ShiftForm(AppForm):
    post_id = SelectField(_l("Post"), choices=[], coerce=int, validate_choice=False)
    service_date = DateField(_l("Date (first day of a rota)"), validators=[InputRequired(_l("Enter the date."))])
    start_time = TimeField(_l("Start"), validators=[InputRequired(_l("Enter the start time."))])
    end_time = TimeField(_l("End"), validators=[InputRequired(_l("Enter the end time."))])
    capacity = IntegerField(_l("Volunteers needed"), default=2, validators=[InputRequired(), NumberRange(1, 200)],
                            render_kw={"inputmode": "numeric"})
    leader_id = SelectField(_l("Shift leader"), choices=[], coerce=int, validate_choice=False)
    leader_other = StringField(_l("Or another volunteer as leader: username or volunteer number"),
                               validators=[Length(max=40)], render_kw={"autocapitalize": "none", "spellcheck": "false"})
    note = StringField(_l("Note for the volunteers"), validators=[Length(max=200)])
    repeat = BooleanField(_l("Repeat every week (a rota)"))
    weekdays = SelectMultipleField(_l("On these days"), choices=select_choices(WEEKDAYS), validate_choice=False)
    last_day = DateField(_l("Until"), validators=[Optional()])


class CancelShiftForm(AppForm):
    reason = StringField(_l("Reason (the volunteers will see it)"),
                         validators=[DataRequired(_l("Give a reason.")), Length(max=200)])


class CodeForm(AppForm):
    code = StringField(_l("Six-digit code shown at the post"),
                       validators=[DataRequired(_l("Enter the code.")), Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*",
                                  "maxlength": 12})
    latitude = HiddenField()
    longitude = HiddenField()


class ScanForm(AppForm):
    latitude = HiddenField()
    longitude = HiddenField()


class LeaderScanForm(AppForm):
    post_id = SelectField(_l("Post"), choices=[], coerce=int, validate_choice=False)
    token = StringField(_l("Personal code"), validators=[DataRequired(_l("Scan or paste the code.")),
                                                        Length(max=400)],
                        render_kw={"autocomplete": "off", "spellcheck": "false"})


class InsuranceForm(AppForm):
    member = StringField(_l("Username or volunteer number"),
                         validators=[DataRequired(_l("Enter a username or volunteer number.")), Length(max=40)],
                         render_kw={"autocapitalize": "none", "spellcheck": "false"})
    insurer = StringField(_l("Insurer"), validators=[Length(max=80)])
    policy_number = StringField(_l("Policy number"), validators=[Length(max=60)])
    valid_until = DateField(_l("Valid until"), validators=[InputRequired(_l("Enter the date."))])
