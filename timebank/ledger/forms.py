from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import AppForm, select_choices
from ..i18n import _l

MEMBER = {"autocapitalize": "none", "spellcheck": "false", "maxlength": 40}


class ServiceTimesMixin:
    """Date, start and end time in the community's time zone; an end before the start means after midnight (the
    ledger refuses such a span above ``records.MAX_OVERNIGHT_MINUTES``: then the end was typed wrong)."""

    def service_times(self, timezone):
        zone = ZoneInfo(timezone)
        day = self.service_date.data
        start = datetime.combine(day, self.start_time.data, zone)
        end = datetime.combine(day, self.end_time.data, zone)
        if end <= start:  # e.g. a night patrol 22:00–02:00
            end += timedelta(days=1)
        return start, end


class ActivityFields(AppForm, ServiceTimesMixin):
    activity_name = StringField(_l("Activity name"), validators=[DataRequired(_l("Enter the activity's name.")),
                                                                  Length(max=120)],
                                render_kw={"maxlength": 120})
    category = SelectField(_l("Kind of service"), choices=[])
    service_date = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    start_time = TimeField(_l("Start"), validators=[InputRequired(_l("Enter the start time."))])
    end_time = TimeField(_l("End"), validators=[InputRequired(_l("Enter the end time."))])
    minutes = IntegerField(_l("Minutes to record (optional)"), validators=[Optional(), NumberRange(min=1, max=1440)],
                           description=_l("Leave empty to use the time from start to end, rounded by the "
                                          "community's rules."), render_kw={"inputmode": "numeric"})
    place = StringField(_l("Place"), validators=[Length(max=120)], render_kw={"maxlength": 120})
    content = TextAreaField(_l("What was done"), validators=[Length(max=2000)], render_kw={"rows": 3})
    activity_leader = StringField(_l("Activity leader"), validators=[Length(max=60)],
                                  description=_l("Who organised the activity and can confirm you were there."),
                                  render_kw={"maxlength": 60})
    evidence_note = TextAreaField(_l("Evidence"), validators=[DataRequired(_l("Describe the evidence.")),
                                                              Length(max=2000)],
                                  description=_l("e.g. the sign-in sheet, photos in the group chat, who saw you."),
                                  render_kw={"rows": 2})


class ClaimForm(ActivityFields):
    pass


class BackfillForm(ActivityFields):
    volunteers = TextAreaField(_l("Volunteers"), validators=[Length(max=4000)],
                               description=_l("Usernames or volunteer numbers, one per line or separated by "
                                              "commas."), render_kw={"rows": 3})
    team_id = SelectField(_l("…or a whole team"), choices=[], coerce=int, validate_choice=False)
    confirm_now = BooleanField(_l("Confirm at once (I was the organiser or have checked the evidence)"),
                               default=True)


class CorrectionRequestForm(AppForm):
    requested_minutes = IntegerField(_l("Correct number of minutes (if you know it)"),
                                     validators=[Optional(), NumberRange(min=0, max=1440)],
                                     render_kw={"inputmode": "numeric"})
    message = TextAreaField(_l("What is wrong?"), validators=[DataRequired(_l("Say what is wrong.")),
                                                             Length(max=1000)], render_kw={"rows": 3})


class CorrectForm(AppForm):
    minutes = IntegerField(_l("Correct minutes (0 to void the entry)"),
                           validators=[InputRequired(_l("Enter the minutes.")), NumberRange(min=0, max=1440)],
                           render_kw={"inputmode": "numeric"})
    reason = TextAreaField(_l("Reason (the volunteer will see it)"),
                           validators=[DataRequired(_l("Give a reason.")), Length(max=1000)], render_kw={"rows": 2})
    request_id = HiddenField()


class DeclineForm(AppForm):
    reason = TextAreaField(_l("Reason (the volunteer will see it)"),
                           validators=[DataRequired(_l("Give a reason.")), Length(max=1000)], render_kw={"rows": 2})


class DecideForm(AppForm):
    action = HiddenField()
    reason = TextAreaField(_l("Reason for rejecting (the volunteers will see it)"), validators=[Length(max=500)],
                           render_kw={"rows": 2})


class GiftForm(AppForm):
    receiver = SelectField(_l("Give to"), choices=[], coerce=int, validate_choice=False)
    receiver_text = StringField(_l("Give to (username or volunteer number)"), validators=[Length(max=40)],
                                render_kw=MEMBER)
    amount = DecimalField(_l("Credits"), places=2, validators=[InputRequired(_l("Enter an amount.")),
                                                               NumberRange(min=0.01, max=100000)],
                          render_kw={"inputmode": "decimal", "step": "0.5", "min": "0.5"})


class DonateForm(AppForm):
    amount = DecimalField(_l("Credits to donate"), places=2, validators=[InputRequired(_l("Enter an amount.")),
                                                                         NumberRange(min=0.01, max=100000)],
                          render_kw={"inputmode": "decimal", "step": "0.5", "min": "0.5"})


RELATION_LABELS = {
    "spouse": _l("Spouse"), "parent": _l("Parent"), "child": _l("Child"), "grandparent": _l("Grandparent"),
    "grandchild": _l("Grandchild"), "sibling": _l("Brother or sister"), "other": _l("Other relative"),
}


class RelativeForm(AppForm):
    relative = StringField(_l("Their username or volunteer number"),
                           validators=[DataRequired(_l("Enter a username or volunteer number.")), Length(max=40)],
                           render_kw=MEMBER)
    relation = SelectField(_l("Relation"), choices=select_choices(RELATION_LABELS.items()))


class CertificateForm(AppForm):
    period_start = DateField(_l("From (optional)"), validators=[Optional()])
    period_end = DateField(_l("To (optional)"), validators=[Optional()])


class ConsentForm(AppForm):
    public_consent = HiddenField()


class VerifyForm(AppForm):
    class Meta:
        csrf = False  # a public GET search form

    number = StringField(_l("Certificate number"), validators=[DataRequired(_l("Enter the certificate number.")),
                                                                Length(max=30)],
                         render_kw={"autocapitalize": "characters", "spellcheck": "false",
                                    "placeholder": "ZY2026-XXXX-XXXX"})
