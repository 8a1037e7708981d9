from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_login import current_user, login_user

from ..errors import PermissionDenied, ValidationFailed
from ..forms import apply_domain_error
from ..hooks import collect_items
from ..i18n import _, supported_locale
from ..identity.forms import JoinForm, RegistrationForm
from ..identity.proxy import current_subject
from ..permissions import can
from . import joining, services
from .context import public
from .teams import teams_of

bp = Blueprint("communities", __name__, url_prefix="/c/<community>")


@bp.route("/join", methods=["GET", "POST"])
@public
def join(community=None):
    """Registration in this community: a new account, or an existing account asking to join."""
    community = g.community
    membership = services.membership_of(current_user, community)
    if membership is not None and membership.status in (services.PENDING, services.ACTIVE):
        return redirect(url_for("home.dashboard"))
    if not community.self_registration:
        return render_template("communities/join_closed.html"), 403
    form = JoinForm() if current_user.is_authenticated else RegistrationForm()
    if form.validate_on_submit():
        try:
            if current_user.is_authenticated:
                joining.apply_to_join(current_user, community, form.wants_to_volunteer.data,
                                       form.address_note.data, form.application_note.data)
            else:
                membership = joining.register(
                    community, form.username.data, form.display_name.data, form.password.data,
                    phone=form.phone.data, wants_to_volunteer=form.wants_to_volunteer.data,
                    address_note=form.address_note.data, application_note=form.application_note.data,
                    locale=supported_locale(session.get("locale")), elder_mode=session.get("elder_mode", False),
                )
                keep = {key: session[key] for key in ("locale", "elder_mode") if key in session}
                session.clear()  # a fresh session for the new account (no fixation)
                session.update(keep)
                login_user(membership.user)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        except PermissionDenied as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Thank you! A coordinator will check your registration soon."), "success")
            return redirect(url_for("home.dashboard"))
    return render_template("communities/join.html", form=form)


@bp.get("/me")
def me(community=None):
    """The "Me" tab: the person (or the member a coordinator acts for) in this community."""
    return _profile(current_subject())


@bp.get("/members/<int:user_id>")
def member(user_id, community=None):
    """A member's profile: the member themself, or staff of this community."""
    if user_id != current_user.id and not can(current_user, "members.view", g.community):
        raise PermissionDenied("members.view")
    return _profile(services.member_in(g.community, user_id))


def _profile(user):
    community = g.community
    membership = services.membership_of(user, community)
    panels = collect_items("timebank_profile_panels", community, profile_user=user, viewer=current_user)
    teams = teams_of(user, community)
    show_phone = user.id == current_user.id or can(current_user, "members.view", community)
    return render_template("communities/profile.html", profile_user=user, membership=membership, panels=panels,
                           teams=teams, show_phone=show_phone)
