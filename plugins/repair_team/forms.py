"""Flask-WTF forms of the repair team (CSRF on every one; errors shown beside each field).

The material form has no field for a labour fee: labour is always free."""

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from timebank.forms import AppForm, QuickSelect, select_choices
from timebank.i18n import _l

from .vocabulary import CATEGORY_LABELS, DAY_PART_LABELS, URGENCY_LABELS, WEEKDAY_LABELS

PHOTO_ATTRS = {"accept": "image/jpeg,image/png,image/webp"}
STARS = [("5", _l("5 stars: very good")), ("4", _l("4 stars: good")), ("3", _l("3 stars: all right")),
         ("2", _l("2 stars: poor")), ("1", _l("1 star: very poor"))]


class RequestForm(AppForm):
    category = RadioField(_l("What needs repairing?"), choices=select_choices(CATEGORY_LABELS.items()),
                          validators=[InputRequired(_l("Choose what needs repairing."))])
    description = TextAreaField(_l("What is broken?"), validators=[DataRequired(_l("Say in a few words what is "
                                                                                  "wrong.")), Length(max=1000)],
                                description=_l("e.g. 厨房水龙头一直滴水，关不紧"), render_kw={"rows": 3})
    urgency = RadioField(_l("How urgent is it?"), choices=select_choices(URGENCY_LABELS.items()), default="normal",
                         validators=[InputRequired()])
    household_id = SelectField(_l("Home address"), coerce=int, validate_choice=False, widget=QuickSelect(),
                               description=_l("Building, stairwell and room."))
    preferred_days = SelectMultipleField(_l("Which days suit you?"), choices=[], validate_choice=False)
    preferred_parts = SelectMultipleField(_l("What time of day?"), choices=select_choices(DAY_PART_LABELS.items()),
                                          validate_choice=False)
    contact_phone = TelField(_l("Phone for the volunteer (optional)"), validators=[Length(max=20)],
                             render_kw={"inputmode": "tel", "autocomplete": "tel"})
    photos = MultipleFileField(_l("Photos (optional)"), render_kw=PHOTO_ATTRS)  # the limit is said by the view
    for_member = StringField(_l("For a member: username"), validators=[Length(max=40)],
                             render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"})
    requester_name = StringField(_l("Or for a caller without an account: name"), validators=[Length(max=60)],
                                 render_kw={"autocomplete": "off"})


class VisitForm(AppForm):
    """When the volunteer will come (claiming a job)."""

    visit_date = DateField(_l("Visit date"), validators=[InputRequired(_l("Enter the date."))])
    visit_time = TimeField(_l("Visit time"), validators=[InputRequired(_l("Enter the time."))])


class AssignForm(VisitForm):
    volunteer_id = RadioField(_l("Volunteer"), coerce=int, choices=[], validate_choice=False,
                              validators=[InputRequired(_l("Choose a volunteer."))])


class ReasonForm(AppForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=200)])


class FinishForm(AppForm):
    work_note = TextAreaField(_l("What did you do?"), validators=[DataRequired(_l("Say briefly what you did.")),
                                                                 Length(max=1000)], render_kw={"rows": 3})
    referral_note = StringField(_l("Found, and referred to"), validators=[Length(max=200)],
                                description=_l("Gas: what you found, and whether the gas company must come."))
    photos = MultipleFileField(_l("Photos of the finished work (optional)"), render_kw=PHOTO_ATTRS)


class MaterialForm(AppForm):
    name = StringField(_l("Material used"), validators=[DataRequired(_l("Say what material was used.")),
                                                   Length(max=60)], description=_l("e.g. 水龙头密封圈, 空气开关"))
    quantity = StringField(_l("Quantity"), validators=[Length(max=20)], description=_l("e.g. 2个, 1.5米"))
    cost = StringField(_l("Cost in yuan (what you paid)"), validators=[DataRequired(_l("Enter the cost, 0 if it "
                                                                                       "was free."))],
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})
    receipt = FileField(_l("Photo of the receipt"), render_kw=PHOTO_ATTRS)


class SignoffForm(AppForm):
    code = StringField(_l("Resident's sign-off code"), validators=[Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12})
    seen_total = HiddenField()


class RatingForm(AppForm):
    rating = RadioField(_l("How was the repair?"), choices=select_choices(STARS),
                        validators=[InputRequired(_l("Choose from one to five stars."))])
    comment = TextAreaField(_l("Your comment"), validators=[Length(max=500)], render_kw={"rows": 2},
                            description=_l("Needed for a poor rating: what is still wrong?"))


class CloseForm(AppForm):
    note = StringField(_l("How was it settled?"), validators=[DataRequired(_l("Say how the problem was settled.")),
                                                              Length(max=200)])


class AddMemberForm(AppForm):
    member = StringField(_l("Username or volunteer number"),
                         validators=[DataRequired(_l("Enter a username or volunteer number.")), Length(max=40)],
                         render_kw={"autocapitalize": "none", "spellcheck": "false"})


class SkillsForm(AppForm):
    categories = SelectMultipleField(_l("Can repair"), choices=select_choices(CATEGORY_LABELS.items()),
                                     validate_choice=False)
    licence_number = StringField(_l("Licence number"), validators=[Length(max=60)],
                                 description=_l("For work that needs a licence, e.g. the electrician's special-work "
                                                "licence (特种作业操作证). You have seen the original."))
    licence_valid_until = DateField(_l("Licence valid until"), validators=[Optional()])


class AvailabilityForm(AppForm):
    taking_jobs = BooleanField(_l("I am taking repair jobs"))
    weekdays = SelectMultipleField(_l("Days I can come"), choices=select_choices((str(day), label) for day, label
                                                                      in enumerate(WEEKDAY_LABELS)),
                                   validate_choice=False)
    day_parts = SelectMultipleField(_l("Times of day"), choices=select_choices(DAY_PART_LABELS.items()),
                                    validate_choice=False)
    note = StringField(_l("Note for the coordinator"), validators=[Length(max=200)],
                       description=_l("e.g. 工作日晚上、周末全天"))
