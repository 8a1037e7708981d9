"""Admin pages about people: overview, registrations, members, roles, acting on behalf."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from .. import roles
from ..communities import joining, services, structure
from ..errors import ValidationFailed
from ..forms import ActionForm, apply_domain_error
from ..i18n import _
from ..identity import proxy
from ..permissions import can
from ..web import page_arg
from .blueprint import bp
from .forms import ApproveForm, HouseholdForm, NewMemberForm, RejectForm, RoleForm, SetPasswordForm


def _role_choices():
    """Roles the current user may hand out."""
    allowed = roles.ROLES if can(current_user, "members.grant_staff", g.community) else roles.ROLES[:3]
    return [(role, roles.ROLE_LABELS[role]) for role in allowed]


def _household_choices():
    return [(0, _("— none —")), *structure.household_choices(g.community)]


@bp.get("/")
def overview(community=None):
    return render_template("admin/overview.html", pending=joining.count_pending_registrations(g.community),
                           summary=structure.structure_summary(g.community),
                           members_total=services.members_page(g.community, per_page=1)[1])


@bp.get("/registrations")
def registrations(community=None):
    approve_form = ApproveForm()
    approve_form.role.choices = _role_choices()
    return render_template("admin/registrations.html", pending=joining.pending_registrations(g.community),
                           approve_form=approve_form, reject_form=RejectForm())


@bp.post("/registrations/<int:membership_id>/approve")
def approve(membership_id, community=None):
    membership = services.membership_in(g.community, membership_id)
    form = ApproveForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        try:
            joining.approve(membership, current_user, form.role.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is now a member.", name=membership.user.display_name), "success")
    else:
        flash(_("Choose a role."), "error")
    return redirect(url_for("admin.registrations"))


@bp.post("/registrations/<int:membership_id>/reject")
def reject(membership_id, community=None):
    membership = services.membership_in(g.community, membership_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            joining.reject(membership, current_user, form.reason.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The registration was turned down."), "success")
    else:  # the reason is missing or too long: say which
        flash(next(iter(form.reason.errors), _("Give a reason; the applicant will see it.")), "error")
    return redirect(url_for("admin.registrations"))


@bp.get("/members")
def members(community=None):
    search = request.args.get("q", "")[:60]
    role = request.args.get("role") or None
    page = page_arg()
    rows, total = services.members_page(g.community, search=search, role=role, page=page)
    return render_template("admin/members.html", rows=rows, total=total, page=page, per_page=30, search=search,
                           role=role, role_choices=roles.role_choices())


@bp.route("/members/new", methods=["GET", "POST"])
def new_member(community=None):
    form = NewMemberForm()
    form.role.choices = _role_choices()
    form.household_id.choices = _household_choices()
    if form.validate_on_submit():
        password = form.password.data if form.own_login.data else None
        if form.own_login.data and not password:
            form.password.errors = [_("Choose a password.")]
        else:
            try:
                membership = joining.create_member_account(
                    g.community, current_user, form.username.data, form.display_name.data, role=form.role.data,
                    phone=form.phone.data, password=password, household_id=form.household_id.data or None)
            except ValidationFailed as error:
                apply_domain_error(form, error)
            else:
                flash(_("The account of %(name)s was created.", name=membership.user.display_name), "success")
                return redirect(url_for("admin.member", membership_id=membership.id))
    return render_template("admin/new_member.html", form=form)


@bp.get("/members/<int:membership_id>")
def member(membership_id, community=None):
    membership = services.membership_in(g.community, membership_id)
    role_form = RoleForm(role=membership.role)
    role_form.role.choices = _role_choices()
    household_form = HouseholdForm(household_id=membership.household_id or 0)
    household_form.household_id.choices = _household_choices()
    from ..identity.forms import EraseMemberForm
    from ..identity.privacy import may_erase

    return render_template("admin/member.html", membership=membership, role_form=role_form,
                           household_form=household_form, password_form=SetPasswordForm(), action_form=ActionForm(),
                           erase_form=EraseMemberForm(), may_erase=may_erase(current_user, membership.user))


@bp.post("/members/<int:membership_id>/role")
def change_role(membership_id, community=None):
    membership = services.membership_in(g.community, membership_id)
    form = RoleForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        try:
            joining.change_role(membership, current_user, form.role.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Saved."), "success")
    else:
        flash(_("You cannot give this role."), "error")
    return redirect(url_for("admin.member", membership_id=membership.id))


@bp.post("/members/<int:membership_id>/household")
def set_household(membership_id, community=None):
    membership = services.membership_in(g.community, membership_id)
    form = HouseholdForm()
    if form.validate_on_submit():
        try:
            structure.assign_household(membership, current_user, form.household_id.data or None)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Saved."), "success")
    else:
        flash(_("Choose one of the options."), "error")
    return redirect(url_for("admin.member", membership_id=membership.id))


@bp.post("/members/<int:membership_id>/password")
def set_password(membership_id, community=None):
    membership = services.membership_in(g.community, membership_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            joining.set_member_password(membership, current_user, form.password.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The new password is set. Give it to the member in person."), "success")
    else:
        flash(_("Choose a password."), "error")
    return redirect(url_for("admin.member", membership_id=membership.id))


@bp.post("/members/<int:membership_id>/erase")
def erase(membership_id, community=None):
    """Erase a member's personal data at their request (community admins; cannot be undone)."""
    from ..identity.forms import EraseMemberForm
    from ..identity.privacy import erase_member

    membership = services.membership_in(g.community, membership_id)
    form = EraseMemberForm()
    if form.validate_on_submit():
        try:
            erase_member(membership.user, current_user, form.confirm_username.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The member's personal data was erased; their service records are kept anonymously."),
                  "success")
            return redirect(url_for("admin.members"))
    else:
        flash(_("Type the username."), "error")
    return redirect(url_for("admin.member", membership_id=membership.id))


@bp.post("/members/<int:membership_id>/act-for")
def act_for(membership_id, community=None):
    membership = services.membership_in(g.community, membership_id)
    if ActionForm().validate_on_submit():
        try:
            proxy.start_proxy(current_user, membership.user, g.community)
        except ValidationFailed as error:
            flash(error.message, "error")
            return redirect(url_for("admin.member", membership_id=membership.id))
        flash(_("You are now acting on behalf of %(name)s.", name=membership.user.display_name), "success")
        return redirect(url_for("home.dashboard"))
    return redirect(url_for("admin.member", membership_id=membership.id))
