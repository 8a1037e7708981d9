"""The coordinator's pages: confirmation queue (one or many at once), back-entries, corrections, relatives,
community totals, exports, certificates for volunteers and the hours policy."""

import re
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ..communities import services as community_services
from ..communities import teams
from ..communities.models import TeamMember
from ..errors import PermissionDenied, ValidationFailed
from ..extensions import db
from ..forms import ActionForm, AppForm, apply_domain_error
from ..i18n import _, ngettext
from ..identity.models import User
from ..permissions import require
from ..settings import build_settings_form_fields, save_settings, setting_specs, settings_for
from ..web import as_id, page_arg, year_arg
from . import certificates, credits, exports, records, reports
from . import corrections as correcting
from .accounts import atomic
from .categories import ledger_categories
from .forms import BackfillForm, CorrectForm, DecideForm, DeclineForm
from .policy import PLUGIN, ledger_policy
from .views_volunteer import category_choices, show_record_error

bp = Blueprint("ledger_admin", __name__, url_prefix="/c/<community>/ledger")


def _date_arg(name):
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/queue")
def queue(community=None):
    require(current_user, "ledger.confirm", g.community)
    filters = {"search": request.args.get("q", "")[:60], "team_id": as_id(request.args.get("team")),
               "category": request.args.get("category") or None, "date_from": _date_arg("from"),
               "date_to": _date_arg("to")}
    page = page_arg()
    rows, total, cutoff = reports.queue_page(g.community, page=page, **filters)
    return render_template("ledger/queue.html", rows=rows, total=total, page=page, per_page=50, cutoff=cutoff,
                           filters=filters, form=DecideForm(), teams=teams.teams_in(g.community),
                           categories=category_choices(False), labels=ledger_categories())


@bp.post("/queue/decide")
def decide(community=None):
    require(current_user, "ledger.confirm", g.community)
    form = DecideForm()
    ids = [number for number in map(as_id, request.form.getlist("record")) if number is not None]
    if not form.validate_on_submit() or form.action.data not in ("confirm", "reject"):
        flash(_("Please try again."), "error")
    elif not ids:
        flash(_("Tick the entries first."), "error")
    else:
        try:
            done, skipped = records.decide_many(g.community, current_user, ids, form.action.data, form.reason.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            if form.action.data == "confirm":
                flash(ngettext("%(num)d entry confirmed.", "%(num)d entries confirmed.", len(done)), "success")
            else:
                flash(ngettext("%(num)d entry rejected.", "%(num)d entries rejected.", len(done)), "success")
            for record, why in skipped:
                flash(_("Not done: %(name)s, “%(activity)s”: %(why)s", name=record.volunteer.display_name,
                        activity=record.activity_name, why=why), "error")
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/c/")
                    else url_for("ledger_admin.queue"))


@bp.route("/records/<int:record_id>", methods=["GET", "POST"])
def record(record_id, community=None):
    require(current_user, "ledger.confirm", g.community)
    entry = records.record_in(g.community, record_id)
    form = CorrectForm(minutes=entry.minutes) if request.method == "GET" else CorrectForm()
    request_ = None
    if as_id(request.args.get("request")):
        request_ = correcting.request_in(g.community, as_id(request.args.get("request")))
        if request.method == "GET" and request_.requested_minutes is not None:
            form.minutes.data = request_.requested_minutes
    if form.validate_on_submit():
        if form.request_id.data and form.request_id.data.isdigit():
            request_ = correcting.request_in(g.community, int(form.request_id.data))
        try:
            amended = correcting.correct(entry, g.community, current_user, form.minutes.data, form.reason.data,
                                      request=request_)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        except PermissionDenied as error:
            form.form_errors.append(error.message or _("You cannot correct this entry."))
        else:
            flash(_("The entry was corrected."), "success")
            return redirect(url_for("ledger_admin.record", record_id=amended.id))
    return render_template("ledger/admin_record.html", entry=entry, form=form, request_=request_,
                           corrected_by=correcting.corrected_by(entry), decide_form=DecideForm(),
                           category=ledger_categories().get(entry.category),
                           can_decide=records.can_confirm(current_user, entry, g.community))


def _volunteers_from(form):
    """The volunteers named in a back-entry form: usernames/volunteer numbers, or everyone in a team."""
    people = []
    for token in re.split(r"[\s,，、;；]+", form.volunteers.data or ""):
        if token:
            try:
                people.append(community_services.find_member(g.community, token))
            except ValidationFailed:
                raise ValidationFailed(_("No active member with the username or volunteer number “%(text)s”.",
                                         text=token), field="volunteers") from None
    if form.team_id.data:
        team = teams.team_in(g.community, form.team_id.data)
        people += db.session.scalars(select(User).join(TeamMember, TeamMember.user_id == User.id)
                                     .where(TeamMember.team_id == team.id)).all()
    unique = {person.id: person for person in people}
    if not unique:
        raise ValidationFailed(_("Name at least one volunteer or choose a team."), field="volunteers")
    return list(unique.values())


@bp.route("/backfill", methods=["GET", "POST"])
def backfill(community=None):
    """Back-entry (补录) for one person or a whole group at one activity; all or nothing."""
    require(current_user, "ledger.backfill", g.community)
    form = BackfillForm()
    form.category.choices = category_choices(False)
    form.team_id.choices = [(0, _("— none —"))] + [(t.id, t.name) for t in teams.teams_in(g.community)]
    if form.validate_on_submit():
        start, end = form.service_times(g.community.timezone)
        try:
            people = _volunteers_from(form)
            with atomic():
                created = [records.record_service(
                    g.community, person, category=form.category.data, activity_name=form.activity_name.data,
                    started_at=start, ended_at=end, minutes=form.minutes.data, place=form.place.data,
                    content=form.content.data, activity_leader=form.activity_leader.data or
                    current_user.display_name, leader=current_user, evidence_note=form.evidence_note.data,
                    is_backfill=True, actor=current_user, limit_age=True) for person in people]
                if form.confirm_now.data:
                    for entry in created:
                        records.confirm(entry, g.community, current_user, within_transaction=True)
        except ValidationFailed as error:
            show_record_error(form, error)
        except PermissionDenied as error:
            form.form_errors.append(error.message or _("You cannot confirm this entry."))
        else:
            flash(ngettext("Hours entered for %(num)d volunteer.", "Hours entered for %(num)d volunteers.",
                           len(created)), "success")
            return redirect(url_for("ledger_admin.queue") if not form.confirm_now.data
                            else url_for("ledger_admin.backfill"))
    return render_template("ledger/backfill.html", form=form)


@bp.get("/corrections")
def corrections(community=None):
    require(current_user, "ledger.correct", g.community)
    return render_template("ledger/corrections.html", requests=reports.open_requests(g.community),
                           form=DeclineForm())


@bp.post("/corrections/<int:request_id>/decline")
def decline(request_id, community=None):
    require(current_user, "ledger.correct", g.community)
    form = DeclineForm()
    request_ = correcting.request_in(g.community, request_id)
    if form.validate_on_submit():
        try:
            correcting.decline_request(request_, g.community, current_user, form.reason.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The request was declined."), "success")
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("ledger_admin.corrections"))


@bp.get("/relatives")
def relatives(community=None):
    require(current_user, "ledger.relatives", g.community)
    return render_template("ledger/relatives.html", relatives=credits.pending_relatives(g.community),
                           form=ActionForm())


@bp.post("/relatives/<int:relative_id>")
def decide_relative(relative_id, community=None):
    form = ActionForm()
    relative = credits.relative_in(g.community, relative_id)
    if form.validate_on_submit() and form.value.data in ("confirm", "reject"):
        try:
            credits.decide_relative(g.community, relative, current_user, form.value.data == "confirm")
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Saved."), "success")
    return redirect(url_for("ledger_admin.relatives"))


@bp.get("/totals")
def totals(community=None):
    require(current_user, "ledger.confirm", g.community)
    year = year_arg() or reports.local_today(g.community).year
    return render_template("ledger/totals.html", year=year, totals=reports.community_totals(g.community, year),
                           all_time=reports.community_totals(g.community), labels=ledger_categories(),
                           pool=credits.community_pool_balance(g.community),
                           leaders=reports.leaderboard(g.community, year=year, limit=10))


@bp.get("/export")
def export(community=None):
    require(current_user, "ledger.export", g.community)
    date_from, date_to = _date_arg("from"), _date_arg("to")
    fmt = request.args.get("format")
    if fmt not in ("csv", "xlsx"):
        return render_template("ledger/export.html", today=reports.local_today(g.community))
    if date_from and date_to and date_to < date_from:
        flash(_("The end of the period must be after its start."), "error")
        return redirect(url_for("ledger_admin.export"))
    status = request.args.get("status") if request.args.get("status") in ("pending", "confirmed", "rejected") \
        else None
    name = f"service-records-{g.community.slug}-{date_from or 'start'}-{date_to or 'today'}"
    exports.record_export(g.community, current_user, fmt, date_from, date_to)
    if fmt == "csv":
        return Response(stream_with_context(exports.csv_stream(g.community, date_from, date_to, status)),
                        mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    handle = exports.xlsx_file(g.community, date_from, date_to, status)
    return send_file(handle, as_attachment=True, download_name=f"{name}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/members/<int:user_id>/certificate")
def certify_member(user_id, community=None):
    """A coordinator issues a certificate for a volunteer (e.g. an elder without a phone)."""
    require(current_user, "ledger.certify", g.community)
    volunteer = community_services.member_in(g.community, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        certificate = certificates.issue_certificate(g.community, volunteer, current_user)
    except ValidationFailed as error:
        flash(error.message, "error")
        return redirect(url_for("communities.member", user_id=user_id))
    return render_template("ledger/certificate.html", certificate=certificate,
                           verify_url=certificates.verification_url(certificate),
                           period=certificates.period_label(certificate),
                           printed=certificates.printed_texts(certificate))


@bp.route("/policy", methods=["GET", "POST"])
def policy(community=None):
    require(current_user, "ledger.policy", g.community)
    specs = setting_specs(PLUGIN, "community")
    form_class = type("LedgerPolicyForm", (AppForm,), build_settings_form_fields(specs))
    form = form_class(data=settings_for(PLUGIN, g.community)) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        try:
            save_settings(PLUGIN, {spec.key: form[spec.key].data for spec in specs}, g.community, current_user)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("ledger_admin.policy"))
    return render_template("ledger/policy.html", form=form, current=ledger_policy(g.community))

