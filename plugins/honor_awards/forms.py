"""Flask-WTF forms of the honour awards pages (CSRF on every change; errors beside their field)."""

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from timebank.forms import AppForm, QuickSelect, select_choices
from timebank.i18n import _l

from .services import LEVEL_LABELS, NOMINATOR_LABELS

CAMPAIGN_KINDS = [("household", _l("Households (最美家庭, 文明家庭...)")),
                  ("person", _l("People (道德模范, 好媳妇/好婆婆...)")),
                  ("building", _l("Buildings (最美楼院)"))]
DEFAULT_RUBRIC = _l("Family harmony 30\nHelping neighbours 25\nPublic service 20\nFamily tradition 15\n"
                    "Thrift and green living 10")


class CampaignForm(AppForm):
    title = StringField(_l("Name of the award"), validators=[DataRequired(_l("Give the award a name.")),
                                                            Length(max=80)],
                        description=_l("e.g. 2026年度最美家庭"))
    kind = SelectField(_l("Who is honoured"), choices=select_choices(CAMPAIGN_KINDS))
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)],
                        render_kw={"inputmode": "numeric"})
    level = SelectField(_l("Level"), choices=select_choices(LEVEL_LABELS.items()),
                        description=_l("Community-level results can be forwarded to the sub-district afterwards."))
    criteria = TextAreaField(_l("Criteria"), validators=[Length(max=5000)], render_kw={"rows": 4},
                             description=_l("What the committee looks for; shown to everybody."))
    quota = IntegerField(_l("How many honours at most"), default=10,
                         validators=[InputRequired(), NumberRange(1, 500)], render_kw={"inputmode": "numeric"})
    rubric = TextAreaField(_l("Scoring rubric"), default=DEFAULT_RUBRIC, render_kw={"rows": 5},
                           validators=[DataRequired(_l("Give at least one criterion with its points.")),
                                       Length(max=1000)],
                           description=_l("One criterion per line with its points, e.g. “Family harmony 30”. "
                                          "Committee scores are never public."))
    nominations_open_on = DateField(_l("Nominations open on"), validators=[InputRequired(_l("Enter the date."))])
    nominations_close_on = DateField(_l("Nominations close on"), validators=[InputRequired(_l("Enter the date."))])
    review_until = DateField(_l("Home visits and review until"), validators=[InputRequired(_l("Enter the date."))])
    public_vote = BooleanField(_l("Hold a public vote"))
    vote_opens_on = DateField(_l("Vote opens on"), validators=[Optional()])
    vote_closes_on = DateField(_l("Vote closes on"), validators=[Optional()])
    notice_days = IntegerField(_l("Public notice (days)"), default=7, validators=[InputRequired(),
                                                                                 NumberRange(3, 7)],
                               render_kw={"inputmode": "numeric"})
    award_on = DateField(_l("Award date"), validators=[InputRequired(_l("Enter the date."))])


class NominationForm(AppForm):
    nominator_kind = SelectField(_l("Who nominates"), choices=select_choices(
        (key, label) for key, label in NOMINATOR_LABELS.items() if key != "ledger"))
    organisation_name = StringField(_l("Organisation"), validators=[Length(max=60)],
                                    description=_l("Only for nominations by an organisation."))
    household_id = SelectField(_l("Household"), choices=[], coerce=int, validate_choice=False, widget=QuickSelect())
    nominee_name = StringField(_l("Name"), validators=[Length(max=60)],
                               render_kw={"autocomplete": "off"})
    building_id = SelectField(_l("Building"), choices=[], coerce=int, validate_choice=False)
    statement = TextAreaField(_l("What have they done? (事迹)"), render_kw={"rows": 6},
                              validators=[DataRequired(_l("Tell the committee what the candidate has done.")),
                                          Length(max=5000)])
    motto = StringField(_l("Family motto (家风家训, optional)"), validators=[Length(max=60)])
    photos = MultipleFileField(_l("Photos (optional, up to 3)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"},
                               description=_l("Only the committee sees them. Location data is removed."))
    full_name_consent = BooleanField(_l("Show my full name on the public notice and the honour wall"),
                                     description=_l("Otherwise the name is shown masked (张*明)."))


class VisitForm(AppForm):
    visited_on = DateField(_l("Date of the home visit"), validators=[InputRequired(_l("Enter the date."))])
    visit_note = TextAreaField(_l("What the visitors found"), render_kw={"rows": 4},
                               validators=[DataRequired(_l("Write down what you found.")), Length(max=2000)])


def score_form_class(criteria):
    """A form with one points field per criterion of the rubric (``criterion_<id>``)."""

    class ScoreForm(AppForm):
        pass

    for criterion in criteria:
        setattr(ScoreForm, f"criterion_{criterion.id}", IntegerField(
            _l("%(name)s (0–%(max)d)", name=criterion.name, max=criterion.max_points),
            validators=[InputRequired(_l("Give points.")), NumberRange(0, criterion.max_points)],
            render_kw={"inputmode": "numeric", "min": 0, "max": criterion.max_points}))
    return ScoreForm


class ReasonForm(AppForm):
    reason = TextAreaField(_l("Reason (recorded)"), render_kw={"rows": 3},
                           validators=[DataRequired(_l("Give a reason.")), Length(max=2000)])


class VoidForm(AppForm):
    vote_ids = SelectMultipleField(_l("Votes"), choices=[], coerce=int, validate_choice=False)
    reason = StringField(_l("Reason for voiding (shown with the tally)"),
                         validators=[DataRequired(_l("Give a reason.")), Length(max=200)])


class PublishForm(AppForm):
    winners = SelectMultipleField(_l("Proposed honours"), choices=[], coerce=int, validate_choice=False)
    body = TextAreaField(_l("Text of the notice"), render_kw={"rows": 5}, validators=[Length(max=5000)])


class ObjectionForm(AppForm):
    item_id = SelectField(_l("About"), choices=[], coerce=int, validate_choice=False)
    reason = TextAreaField(_l("Your objection, with reasons"), render_kw={"rows": 5},
                           validators=[DataRequired(_l("Say what the objection is about.")), Length(max=2000)],
                           description=_l("Only the coordinators read it. Your name is not published."))


class ResolveForm(AppForm):
    decision = SelectField(_l("Decision"), choices=select_choices([
        ("dismissed", _l("Dismiss: the candidate stays")),
        ("upheld", _l("Uphold: withdraw the candidate"))]))
    resolution = TextAreaField(_l("Why (recorded; the objector is told)"), render_kw={"rows": 3},
                               validators=[DataRequired(_l("Record why you decided so.")), Length(max=2000)])


class ForwardForm(AppForm):
    forwarded_to = StringField(_l("Sub-district office"), validators=[DataRequired(_l("Name the sub-district "
                                                                                      "office.")),
                                                                     Length(max=80)])
