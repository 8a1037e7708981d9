from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..communities.services import all_communities, memberships_for
from ..errors import ValidationFailed
from ..forms import ActionForm, apply_domain_error
from ..i18n import _
from . import services
from .forms import ChangePasswordForm, ElderModeForm, LanguageForm, LoginForm, ProfileForm
from .proxy import end_proxy

bp = Blueprint("identity", __name__)


def safe_next(target, default=None):
    """A redirect target inside this site only (no ``//evil.example`` or absolute URLs)."""
    # Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes "//evil.example"): refuse control
    # characters as well as backslashes.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(char) < 32 or ord(char) == 127 for char in target)):
        return target
    return default or url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            keep = {key: session[key] for key in ("locale", "elder_mode") if key in session}
            session.clear()  # a fresh session at login (no fixation)
            session.update(keep)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data))
        # One message for unknown user and wrong password alike, so that nobody can probe for usernames.
        form.form_errors.append(_("Wrong username or password. Please check and try again."))
    demo = current_app.config.get("DEMO_MODE")
    return render_template("identity/login.html", form=form, demo=demo)


@bp.post("/logout")
@login_required
def logout():
    if ActionForm().validate_on_submit():
        end_proxy(current_user)
        keep = {key: session[key] for key in ("locale", "elder_mode") if key in session}
        session.clear()
        session.update(keep)
        logout_user()  # after clearing: it leaves the marker that deletes the "stay logged in" cookie
        flash(_("You have logged out."), "success")
    return redirect(url_for("identity.login"))


@bp.get("/register")
def register_start():
    """Choose the community to register in (most people arrive on the community's own link)."""
    communities = [c for c in all_communities() if c.self_registration]
    if len(communities) == 1:
        return redirect(url_for("communities.join", community=communities[0].slug))
    return render_template("identity/register_start.html", communities=communities)


@bp.get("/account")
@login_required
def account():
    return render_template("identity/account.html", memberships=memberships_for(current_user),
                           language_form=_language_form(), elder_form=ElderModeForm())


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, current_user, form.display_name.data, form.phone.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("identity.account"))
    return render_template("identity/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            # This session stays logged in with the new session version (and "stay logged in" stays on).
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(current_user._get_current_object(), remember=remembered)
            flash(_("Your password was changed. Other phones and computers have been logged out."), "success")
            return redirect(url_for("identity.account"))
    return render_template("identity/password.html", form=form)


def _language_form():
    form = LanguageForm(locale=current_user.locale if current_user.is_authenticated else session.get("locale"))
    form.locale.choices = list(current_app.config["LANGUAGES"].items())
    return form


@bp.post("/account/language")
def language():
    """Switch the language: saved on the account, or in this browser when logged out."""
    form = _language_form()
    if form.validate_on_submit():
        locale = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user, locale)
        session["locale"] = locale
    return redirect(safe_next(form.next.data))


@bp.post("/account/elder-mode")
def elder_mode():
    """Switch elder mode (关怀模式) on or off: saved on the account, or in this browser when logged out."""
    form = ElderModeForm()
    if form.validate_on_submit():
        enabled = form.enabled.data == "1"
        if current_user.is_authenticated:
            services.set_elder_mode(current_user, enabled)
        session["elder_mode"] = enabled
        flash(_("Elder mode is on: larger text and buttons.") if enabled else _("Elder mode is off."), "success")
    return redirect(safe_next(form.next.data))


@bp.post("/account/proxy/end")
@login_required
def proxy_end():
    if ActionForm().validate_on_submit():
        end_proxy(current_user)
        flash(_("You are acting for yourself again."), "success")
    return redirect(safe_next(request.form.get("next")))


@bp.get("/account/data.json")
@login_required
def personal_data():
    """Download everything the installation holds about me (个人信息保护法: the right of access)."""
    import json

    from .privacy import export_personal_data

    body = json.dumps(export_personal_data(current_user), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename=timebank-{current_user.username}.json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/erasure", methods=["GET", "POST"])
@login_required
def erasure():
    """Ask the community's admins to erase my personal data (service records are kept, anonymised)."""
    from .forms import ErasureForm
    from .privacy import request_erasure

    form = ErasureForm()
    if form.validate_on_submit():
        request_erasure(current_user, form.reason.data)
        flash(_("Your request was sent to your community's admins. They will contact you."), "success")
        return redirect(url_for("identity.account"))
    return render_template("identity/erasure.html", form=form)
