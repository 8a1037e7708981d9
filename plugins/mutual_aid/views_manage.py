"""Coordinators' page for the exchange: priority elders, verification, suspensions, reports, confirmations."""

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from timebank.communities.services import find_member
from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _
from timebank.ledger.credits import community_pool_balance
from timebank.permissions import require

from . import exchange, services
from .blueprints import bp
from .forms import ProfileForm, ReasonForm
from .models import Agreement


def _flag(value):
    return None if value in (None, "") else value == "1"


@bp.route("/manage", methods=["GET", "POST"])
def manage(community=None):
    require(current_user, "mutual_aid.manage", g.community)
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            member = find_member(g.community, form.member.data)
            services.update_profile(g.community, current_user, member, priority_elder=_flag(form.priority_elder.data),
                                    verified=_flag(form.verified.data), suspended=_flag(form.suspended.data),
                                    birth_year=form.birth_year.data, note=form.note.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("mutual_aid.manage"))
    awaiting = db.session.scalars(select(Agreement).where(Agreement.community_id == g.community.id,
                                                          Agreement.status == "awaiting")).all()
    return render_template("mutual_aid/manage.html", form=form, profiles=services.profiles_in(g.community),
                           reports=services.open_reports(g.community), awaiting=awaiting, action=ActionForm(),
                           reason_form=ReasonForm(), pool=community_pool_balance(g.community))


@bp.post("/manage/agreements/<int:agreement_id>/confirm")
def confirm_agreement(agreement_id, community=None):
    item = services.agreement_in(g.community, agreement_id)
    if ActionForm().validate_on_submit():
        try:
            exchange.confirm_by_coordinator(item, g.community, current_user)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Confirmed: the hours are recorded and the credits moved."), "success")
    return redirect(url_for("mutual_aid.manage"))


@bp.post("/manage/reports/<int:report_id>")
def resolve_report(report_id, community=None):
    form = ReasonForm()
    if form.validate_on_submit():
        services.resolve_report(g.community, current_user, report_id, form.reason.data)
        flash(_("Saved."), "success")
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("mutual_aid.manage"))
