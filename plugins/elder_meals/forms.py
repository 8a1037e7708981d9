"""Forms of the meal service (Flask-WTF: CSRF on every change, errors beside the field, labels translated)."""

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from timebank.forms import AppForm, QuickSelect, select_choices
from timebank.i18n import _l

from .alerts import RESOLUTIONS
from .enrolment import RELATIONS
from .menus import MAX_DISHES
from .policy import MODE_LABELS, SLOT_LABELS, WELFARE_STATUSES

MEMBER_KW = {"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"}


class EnrolmentForm(AppForm):
    """Enrolment by a coordinator (``member``), an application by the elder or family (``relation``, ``member``),
    and later corrections (neither)."""

    relation = SelectField(_l("Who is applying"), default="self", choices=select_choices(
        [("self", _l("I am the elder")), *RELATIONS.items()]))
    member = StringField(_l("The elder's username or volunteer number"),
                         validators=[Optional(), Length(max=40)], render_kw=MEMBER_KW,
                         description=_l("The elder needs an account in this community. Without a phone, the "
                                        "community office can open one for them."))
    birth_date = DateField(_l("Date of birth"), validators=[InputRequired(_l("Enter the date of birth."))],
                           description=_l("The subsidy follows the age on each meal's date."))
    household_id = SelectField(_l("Home address"), choices=[], coerce=int, validate_choice=False, widget=QuickSelect())
    address = StringField(_l("Address details"), validators=[Length(max=120)],
                          description=_l("e.g. 6th floor, no lift"), render_kw={"autocomplete": "street-address"})
    needs_delivery = BooleanField(_l("Cannot come to the canteen: meals are delivered"))
    delivery_note = StringField(_l("Note for the delivery volunteer"), validators=[Length(max=200)],
                                description=_l("Seen by the volunteer at the door, e.g. “doorbell broken, please "
                                               "knock”. Do not write health matters here."))
    welfare_status = SelectField(_l("Welfare status"), default="none", choices=select_choices(WELFARE_STATUSES.items()),
                                 description=_l("Sensitive: seen only by the canteen and the coordinators."))
    diet_notes = TextAreaField(_l("Diet and health notes"), validators=[Length(max=1000)], render_kw={"rows": 3},
                               description=_l("Sensitive: e.g. diabetes, no spicy food, soft food only. Seen only by "
                                              "the canteen and the coordinators, never by volunteers."))
    consent = BooleanField(_l("The elder (or their guardian) agrees that the welfare status and the diet and "
                              "health notes are recorded and shown to the canteen and the coordinators only"))
    consent_note = StringField(_l("How the consent was given"), validators=[Length(max=200)],
                               description=_l("e.g. signed form kept at the office; agreed in person"))


class StatusForm(AppForm):
    status = SelectField(_l("New welfare status"), choices=select_choices(WELFARE_STATUSES.items()))
    valid_from = DateField(_l("Applies from"), validators=[InputRequired(_l("Enter the date."))],
                           description=_l("Meals from this day on are priced again."))


class FamilyForm(AppForm):
    member = StringField(_l("Family member's username or volunteer number"),
                         validators=[DataRequired(_l("Enter a username or volunteer number.")), Length(max=40)],
                         render_kw=MEMBER_KW)
    relation = SelectField(_l("Relation to the elder"), choices=select_choices(RELATIONS.items()))
    can_order = BooleanField(_l("May order meals"), default=True)
    alert_contact = BooleanField(_l("Told at once when the elder does not answer the door"), default=True)


class DecisionForm(AppForm):
    note = TextAreaField(_l("Note (needed to turn down; the applicant reads it)"), validators=[Length(max=500)],
                         render_kw={"rows": 2})


class EndForm(AppForm):
    note = StringField(_l("Why the service ends"), validators=[Length(max=500)])


class DishForm(Form):
    name = StringField(_l("Meal"), validators=[Length(max=60)], description=_l("e.g. Set meal A"))
    description = StringField(_l("Dishes"), validators=[Length(max=200)],
                              description=_l("e.g. braised pork, greens, rice, soup"))
    price = StringField(_l("Price (yuan)"), validators=[Length(max=10)],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    soft = BooleanField(_l("Soft"))
    low_salt = BooleanField(_l("Low salt"))
    low_sugar = BooleanField(_l("Low sugar"))


class MenuForm(AppForm):
    capacity = IntegerField(_l("Meals the canteen can cook"), validators=[InputRequired(), NumberRange(1, 2000)],
                            render_kw={"inputmode": "numeric"})
    note = StringField(_l("Note"), validators=[Length(max=200)])
    dishes = FieldList(FormField(DishForm), min_entries=MAX_DISHES, max_entries=MAX_DISHES)
    publish = BooleanField(_l("Publish now (elders and families can order)"))


class OrderForm(AppForm):
    dish_id = RadioField(_l("Meal"), choices=[], coerce=int, validate_choice=False,
                         validators=[InputRequired(_l("Choose a meal."))])
    mode = RadioField(_l("How"), choices=select_choices(MODE_LABELS.items()),
                      validators=[InputRequired(_l("Choose how the meal reaches the elder."))])
    portions = IntegerField(_l("Portions"), default=1, validators=[InputRequired(), NumberRange(1, 5)],
                            render_kw={"inputmode": "numeric"},
                            description=_l("One portion per elder is subsidised; extra portions cost the full "
                                           "price."))


class PlanForm(AppForm):
    meal_date = DateField(_l("Day"), validators=[InputRequired(_l("Enter the date."))])
    slot = SelectField(_l("Meal"), choices=select_choices(SLOT_LABELS.items()))
    start_time = TimeField(_l("Leaves the canteen at"), validators=[InputRequired(_l("Enter the time."))])


class ResolveForm(AppForm):
    resolution = RadioField(_l("What happened"), choices=select_choices(RESOLUTIONS.items()),
                            validators=[InputRequired(_l("Choose one of the options."))])
    note = StringField(_l("Note"), validators=[Length(max=200)])


class SampleForm(AppForm):
    dish_id = HiddenField()
    grams = IntegerField(_l("Grams kept"), default=125, validators=[InputRequired(), NumberRange(1, 2000)],
                         render_kw={"inputmode": "numeric"})
    note = StringField(_l("Where (fridge, box)"), validators=[Length(max=120)])


class MemberForm(AppForm):
    member = StringField(_l("Username or volunteer number"),
                         validators=[DataRequired(_l("Enter a username or volunteer number.")), Length(max=40)],
                         render_kw=MEMBER_KW)
