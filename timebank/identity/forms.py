from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from ..forms import AppForm
from ..i18n import _l

NAME = {"autocomplete": "name", "maxlength": 60}
USERNAME = {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "maxlength": 40}
PHONE = {"autocomplete": "tel", "inputmode": "tel", "maxlength": 20}
NEW_PASSWORD = {"autocomplete": "new-password", "maxlength": 128}


class LoginForm(AppForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username."))],
                           render_kw={**USERNAME, "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password", "maxlength": 128})
    remember = BooleanField(_l("Stay logged in on this phone"), default=True)
    next = HiddenField()


class JoinForm(AppForm):
    """Asking to join a community: the part shared by new and existing accounts."""

    wants_to_volunteer = BooleanField(_l("I want to serve as a volunteer"))
    address_note = StringField(_l("Address (building, stairwell, room)"), validators=[Length(max=120)],
                               render_kw={"autocomplete": "street-address", "maxlength": 120})
    application_note = TextAreaField(_l("Anything the coordinator should know"), validators=[Length(max=1000)],
                                     render_kw={"rows": 3, "maxlength": 1000})


class RegistrationForm(JoinForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=60)],
                               render_kw=NAME)
    username = StringField(_l("Username"), validators=[DataRequired(_l("Choose a username.")), Length(max=40)],
                           description=_l("3–40 lower-case letters or digits; you will log in with it."),
                           render_kw=USERNAME)
    phone = StringField(_l("Mobile phone (optional)"), validators=[Optional(), Length(max=20)],
                        description=_l("Only you and your community's coordinators can see it."),
                        render_kw=PHONE)
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))],
                             description=_l("At least 8 characters, with letters and digits."),
                             render_kw=NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(_l("Repeat the password.")),
                                        EqualTo("password", _l("The two passwords are different."))],
                            render_kw=NEW_PASSWORD)


class ChangePasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))],
                             description=_l("At least 8 characters, with letters and digits."),
                             render_kw=NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(_l("Repeat the password.")),
                                        EqualTo("password", _l("The two passwords are different."))],
                            render_kw=NEW_PASSWORD)


class ProfileForm(AppForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(_l("Enter your name.")), Length(max=60)],
                               render_kw=NAME)
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)], render_kw=PHONE)


class LanguageForm(AppForm):
    locale = SelectField(_l("Language"), choices=[], validators=[InputRequired()])
    next = HiddenField()


class ElderModeForm(AppForm):
    enabled = HiddenField()
    next = HiddenField()


class ErasureForm(AppForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=1000)], render_kw={"rows": 3})


class EraseMemberForm(AppForm):
    confirm_username = StringField(_l("Type the member's username to confirm"),
                                   validators=[DataRequired(_l("Type the username."))],
                                   render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"})
