from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from timebank.forms import AppForm, select_choices
from timebank.i18n import _l

KINDS = [("request", _l("I need help")), ("offer", _l("I can help"))]


class ListingForm(AppForm):
    kind = RadioField(_l("What do you want to post?"), choices=select_choices(KINDS), default="request")
    for_whom = SelectField(_l("For whom"), choices=[], coerce=int, validate_choice=False)
    category = SelectField(_l("Kind of help"), choices=[])
    title = StringField(_l("In one line"), validators=[DataRequired(_l("Say in one line what it is about.")),
                                                      Length(max=80)],
                        description=_l("e.g. 陪妈妈周二上午散步, 教老人用智能手机"), render_kw={"maxlength": 80})
    description = TextAreaField(_l("Details"), validators=[Length(max=2000)], render_kw={"rows": 3})
    expected_minutes = IntegerField(_l("About how long (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(min=15, max=1440)],
                                    render_kw={"inputmode": "numeric"})
    when_text = StringField(_l("When"), validators=[Length(max=80)], description=_l("e.g. 每周二上午, 周末下午"))
    wanted_on = DateField(_l("On a particular day (optional)"), validators=[Optional()])


class RespondForm(AppForm):
    for_whom = SelectField(_l("For whom"), choices=[], coerce=int, validate_choice=False)
    message = TextAreaField(_l("Message"), validators=[Length(max=1000)], render_kw={"rows": 2})


class AcceptForm(AppForm):
    agreed_date = DateField(_l("Agreed day"), validators=[InputRequired(_l("Enter the agreed day."))])
    agreed_time = TimeField(_l("Agreed time"), validators=[InputRequired(_l("Enter the agreed time."))])


class CompleteForm(AppForm):
    minutes = IntegerField(_l("How long did the help take (minutes)?"),
                           validators=[InputRequired(_l("Enter the minutes.")), NumberRange(min=5, max=1440)],
                           render_kw={"inputmode": "numeric"})
    rating = RadioField(_l("How was it?"), choices=select_choices([
        ("5", _l("★★★★★ very good")), ("4", _l("★★★★ good")), ("3", _l("★★★ all right")), ("2", _l("★★ poor")),
        ("1", _l("★ bad"))]), default="5")
    comment = TextAreaField(_l("A word of thanks or a remark (optional)"), validators=[Length(max=1000)],
                            render_kw={"rows": 2})


class ReasonForm(AppForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=300)])


class ReportForm(AppForm):
    text = TextAreaField(_l("What happened?"), validators=[DataRequired(_l("Describe what happened.")),
                                                          Length(max=2000)], render_kw={"rows": 3})


class ProfileForm(AppForm):
    member = StringField(_l("Username or volunteer number"),
                         validators=[DataRequired(_l("Enter a username or volunteer number.")), Length(max=40)],
                         render_kw={"autocapitalize": "none", "spellcheck": "false"})
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()], render_kw={"inputmode": "numeric"})
    priority_elder = SelectField(_l("Priority elder (help paid from the donation pool)"),
                                 choices=select_choices([("", _l("unchanged")), ("1", _l("yes")), ("0", _l("no"))]))
    verified = SelectField(_l("Identity checked by the community"),
                           choices=select_choices([("", _l("unchanged")), ("1", _l("yes")), ("0", _l("no"))]))
    suspended = SelectField(_l("Suspended from the exchange"),
                            choices=select_choices([("", _l("unchanged")), ("1", _l("yes")), ("0", _l("no"))]))
    note = StringField(_l("Note (reason of a suspension, shown to the member)"), validators=[Length(max=300)])


class FilterForm(AppForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Show"), choices=[], validate_choice=False)
    category = SelectField(_l("Kind of help"), choices=[], validate_choice=False)
    building = SelectField(_l("Building"), choices=[], validate_choice=False)
    grid = SelectField(_l("Grid"), choices=[], validate_choice=False)
    day = DateField(_l("For a day from"), validators=[Optional()])
