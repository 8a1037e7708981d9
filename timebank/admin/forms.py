from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import AppForm, QuickSelect
from ..i18n import _l
from ..identity.forms import NAME, NEW_PASSWORD, PHONE, USERNAME


class RejectForm(AppForm):
    reason = TextAreaField(_l("Reason (the applicant will see it)"),
                           validators=[DataRequired(_l("Give a reason; the applicant will see it.")),
                                       Length(max=500)], render_kw={"rows": 2, "maxlength": 500})


class ApproveForm(AppForm):
    role = SelectField(_l("Role"), choices=[])


class RoleForm(AppForm):
    role = SelectField(_l("Role"), choices=[])


class HouseholdForm(AppForm):
    household_id = SelectField(_l("Household"), choices=[], coerce=int, validate_choice=False, widget=QuickSelect())


class SetPasswordForm(AppForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))],
                             description=_l("At least 8 characters, with letters and digits."),
                             render_kw=NEW_PASSWORD)


class NewMemberForm(AppForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=60)],
                               render_kw=NAME)
    username = StringField(_l("Username"), validators=[DataRequired(_l("Choose a username.")), Length(max=40)],
                           description=_l("3–40 lower-case letters or digits, e.g. wang.laoshi or a phone number."),
                           render_kw=USERNAME)
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)], render_kw=PHONE)
    role = SelectField(_l("Role"), choices=[])
    own_login = BooleanField(_l("This person will log in themself"),
                             description=_l("Leave unticked for someone without a smartphone: coordinators will act "
                                            "on their behalf."))
    password = PasswordField(_l("Password (only if they log in themself)"), validators=[Optional()],
                             render_kw=NEW_PASSWORD)
    household_id = SelectField(_l("Household"), choices=[], coerce=int, validate_choice=False, widget=QuickSelect())


class CommunityForm(AppForm):
    name = StringField(_l("Community name"), validators=[DataRequired(_l("Enter a name.")), Length(max=80)])
    organising_unit = StringField(_l("Organising unit (shown on certificates)"), validators=[Length(max=120)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=40)], render_kw=PHONE)
    address = StringField(_l("Address"), validators=[Length(max=200)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=40)])
    self_registration = BooleanField(_l("Residents may register online (a coordinator approves each one)"))


class NewCommunityForm(CommunityForm):
    slug = StringField(_l("Short name in links"), validators=[DataRequired(_l("Enter a short name.")),
                                                             Length(max=40)],
                       description=_l("Lower-case letters, digits and hyphens, e.g. maple-court."),
                       render_kw={"autocapitalize": "none", "spellcheck": "false", "maxlength": 40})


class GridForm(AppForm):
    name = StringField(_l("Grid name"), validators=[DataRequired(_l("Enter a name.")), Length(max=60)])
    level = SelectField(_l("Level"), choices=[])
    parent_id = SelectField(_l("Part of"), choices=[], coerce=int, validate_choice=False)


class BuildingForm(AppForm):
    name = StringField(_l("Building"), validators=[DataRequired(_l("Enter a name.")), Length(max=40)],
                       description=_l("e.g. 3号楼"))
    grid_id = SelectField(_l("Grid"), choices=[], coerce=int, validate_choice=False)
    stairwells = IntegerField(_l("Number of stairwells"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=30)], render_kw={"inputmode": "numeric"})


class NewHouseholdForm(AppForm):
    building_id = SelectField(_l("Building"), choices=[], coerce=int, validate_choice=False)
    stairwell_id = SelectField(_l("Stairwell"), choices=[], coerce=int, validate_choice=False)
    room = StringField(_l("Room"), validators=[DataRequired(_l("Enter the room number.")), Length(max=20)],
                       render_kw={"inputmode": "numeric"})


class TeamForm(AppForm):
    name = StringField(_l("Team name"), validators=[DataRequired(_l("Enter a name.")), Length(max=60)])
    kind = SelectField(_l("Kind"), choices=[])
    description = TextAreaField(_l("Description"), validators=[Length(max=1000)], render_kw={"rows": 2})


class TeamMemberForm(AppForm):
    member = StringField(_l("Username or volunteer number"),
                         validators=[DataRequired(_l("Enter a username or volunteer number.")), Length(max=40)],
                         render_kw={"autocapitalize": "none", "spellcheck": "false"})
    is_leader = BooleanField(_l("Team leader"))
