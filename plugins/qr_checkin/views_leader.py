"""Coordinators' and shift leaders' pages: posts, posters, shifts and rotas, the live roster, the rotating kiosk,
the leader's camera scan, insurance."""

from datetime import datetime, timedelta

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.clock import now
from timebank.communities import teams
from timebank.communities.services import find_member
from timebank.errors import NotFound, ValidationFailed
from timebank.extensions import db
from timebank.forms import apply_domain_error
from timebank.i18n import _, ngettext
from timebank.identity.models import User
from timebank.permissions import require
from timebank.stored_text import shown_text
from timebank.web import as_id, page_arg

from . import attendance, schedule, services, tokens
from .blueprints import bp
from .forms import CancelShiftForm, InsuranceForm, LeaderScanForm, PostForm, ScanForm, ShiftForm
from .posters import qr_response, scan_url


def _none(label=None):
    return [(0, label or _("— none —"))]


@bp.get("/posts")
def posts(community=None):
    require(current_user, "qr_checkin.manage", g.community)
    return render_template("qr_checkin/posts.html", posts=services.posts_in(g.community, active_only=False),
                           kinds=services.POST_KIND_LABELS, policies=services.POLICY_LABELS, form=ScanForm())


@bp.route("/posts/new", methods=["GET", "POST"])
@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def edit_post(post_id=None, community=None):
    require(current_user, "qr_checkin.manage", g.community)
    post = services.post_in(g.community, post_id) if post_id else None
    form = PostForm(obj=post) if request.method == "GET" and post else PostForm()
    form.team_id.choices = _none() + [(team.id, team.name) for team in teams.teams_in(g.community)]
    if request.method == "GET" and post:
        form.team_id.data = post.team_id or 0
    if form.validate_on_submit():
        try:
            post = services.save_post(
                g.community, current_user, post, name=form.name.data, kind=form.kind.data, place=form.place.data,
                description=form.description.data, team_id=form.team_id.data or None, risky=form.risky.data,
                checkin_policy=form.checkin_policy.data, rotate_seconds=form.rotate_seconds.data,
                latitude=form.latitude.data, longitude=form.longitude.data, radius_m=form.radius_m.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("qr_checkin.posts"))
    return render_template("qr_checkin/post_form.html", form=form, post=post)


@bp.post("/posts/<int:post_id>/withdraw")
def withdraw(post_id, community=None):
    post = services.post_in(g.community, post_id)
    if ScanForm().validate_on_submit():
        services.withdraw_posters(post, g.community, current_user)
        flash(_("Old posters of %(post)s no longer work. Print the new one.", post=post.name), "success")
    return redirect(url_for("qr_checkin.posts"))


@bp.get("/posts/<int:post_id>/poster")
def poster(post_id, community=None):
    """A printable poster (A4, or a small label) with the post's name, the QR code and short instructions."""
    require(current_user, "qr_checkin.manage", g.community)
    post = services.post_in(g.community, post_id)
    if post.checkin_policy != "static":
        raise NotFound(post_id)  # a printed code would bypass the rotating code or the leader's scan
    size = "label" if request.args.get("size") == "label" else "a4"
    return render_template("qr_checkin/poster.html", post=post, size=size,
                           url=scan_url(tokens.poster_token(post)))


@bp.get("/posts/<int:post_id>/poster.svg")
def poster_qr(post_id, community=None):
    require(current_user, "qr_checkin.manage", g.community)
    post = services.post_in(g.community, post_id)
    if post.checkin_policy != "static":
        raise NotFound(post_id)
    return qr_response(scan_url(tokens.poster_token(post)), cache=False)


def _kiosk_post(post_id):
    post = services.post_in(g.community, post_id)
    if post.checkin_policy != "rotating":
        raise NotFound(post_id)
    allowed = any(services.can_lead(current_user, shift, g.community)
                  for shift in services.shifts_between(g.community, now() - timedelta(hours=12),
                                                       now() + timedelta(hours=12), post_id=post.id))
    if not allowed:
        require(current_user, "qr_checkin.manage", g.community)
    return post


@bp.get("/posts/<int:post_id>/kiosk")
def kiosk(post_id, community=None):
    """The rotating code for a leader's phone or a screen at the post; the page refreshes itself."""
    post = _kiosk_post(post_id)
    settings = services.checkin_settings(g.community)
    return render_template("qr_checkin/kiosk.html", post=post, state=_kiosk_state(post, settings))


def _kiosk_state(post, settings):
    return {
        "qr": url_for("qr_checkin.kiosk_qr", post_id=post.id, w=int(now().timestamp()) // post.rotate_seconds),
        "code": tokens.fallback_code(post, settings.fallback_seconds),
        "seconds": tokens.seconds_left(post.rotate_seconds),
        "code_seconds": tokens.seconds_left(settings.fallback_seconds),
    }


@bp.get("/posts/<int:post_id>/kiosk/state")
def kiosk_state(post_id, community=None):
    post = _kiosk_post(post_id)
    response = jsonify(_kiosk_state(post, services.checkin_settings(g.community)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/posts/<int:post_id>/kiosk/qr.svg")
def kiosk_qr(post_id, community=None):
    post = _kiosk_post(post_id)
    return qr_response(scan_url(tokens.rotating_token(post)), cache=False)


# --- Shifts -----------------------------------------------------------------------------------------------------


def _leader_choices():
    return _none() + [(user_id, name) for user_id, name in schedule.leader_choices(g.community)]


def _chosen_leader(form):
    """The leader's id: the one typed (username or volunteer number) over the one picked; ``None`` for none."""
    typed = (form.leader_other.data or "").strip()
    return find_member(g.community, typed).id if typed else form.leader_id.data or None


@bp.route("/shifts/new", methods=["GET", "POST"])
def new_shift(community=None):
    require(current_user, "qr_checkin.manage", g.community)
    form = ShiftForm()
    form.post_id.choices = [(post.id, post.name) for post in services.posts_in(g.community)]
    form.leader_id.choices = _leader_choices()
    if request.method == "GET":
        form.capacity.data = services.checkin_settings(g.community).default_capacity
        if as_id(request.args.get("post")):
            form.post_id.data = as_id(request.args.get("post"))
    if form.validate_on_submit():
        try:
            post = services.post_in(g.community, form.post_id.data)
            leader_id = _chosen_leader(form)
            zone = services._zone(g.community)
            if form.repeat.data:
                count = services.create_series(
                    g.community, current_user, post, form.weekdays.data, form.start_time.data, form.end_time.data,
                    form.service_date.data, form.last_day.data or form.service_date.data, form.capacity.data,
                    leader_id, form.note.data)
                flash(ngettext("%(num)d shift created.", "%(num)d shifts created.", count), "success")
            else:
                start = datetime.combine(form.service_date.data, form.start_time.data, zone)
                end = datetime.combine(form.service_date.data, form.end_time.data, zone)
                if end <= start:
                    end += timedelta(days=1)
                services.create_shift(g.community, current_user, post, start, end, form.capacity.data,
                                      leader_id, form.note.data)
                flash(_("The shift was created."), "success")
        except (ValidationFailed, NotFound) as error:
            if isinstance(error, NotFound):
                error = ValidationFailed(_("Choose one of the options."), field="post_id")
            if error.field in ("member", "leader_id") and (form.leader_other.data or "").strip():
                error.field = "leader_other"  # the leader typed is nobody, or no volunteer, here
            apply_domain_error(form, error)
        else:
            return redirect(url_for("qr_checkin.index"))
    return render_template("qr_checkin/shift_form.html", form=form)


@bp.get("/lead")
def lead(community=None):
    """Shifts the user leads (every shift for coordinators) day by day, a week back and a week ahead, and the
    latest shifts with hours still to confirm."""
    leader_id = schedule.leader_filter(current_user, g.community)
    first, last = schedule.lead_window(g.community)
    day, problem = schedule.pick_day(g.community, request.args.get("day"), first, last)
    page = page_arg()
    shifts, total = schedule.day_shifts(g.community, day, leader_id=leader_id, page=page,
                                          per_page=schedule.PER_PAGE)
    ids = [shift.id for shift in shifts]
    return render_template(
        "qr_checkin/lead.html", day=day, today=services.local_day(g.community), problem=problem, page=page, total=total,
        per_page=schedule.PER_PAGE, shifts=shifts, strip=schedule.day_summaries(g.community, first, last,
                                                                                leader_id=leader_id),
        to_confirm=schedule.to_confirm(g.community, leader_id=leader_id), pending=attendance.pending_per_shift(ids),
        counts=services.signup_counts(ids), now=now())


@bp.get("/shifts/<int:shift_id>")
def shift_roster(shift_id, community=None):
    """The live roster: expected, checked in (late?), left early, absent, walk-ins."""
    shift = services.shift_in(g.community, shift_id)
    services.require_lead(current_user, shift, g.community)
    return render_template("qr_checkin/roster.html", shift=shift, lines=attendance.roster(shift, g.community),
                           form=ScanForm(), cancel_form=CancelShiftForm(), now=now(),
                           on_time=len(attendance.on_time_records(shift, g.community)))


@bp.post("/shifts/<int:shift_id>/confirm")
def confirm_shift(shift_id, community=None):
    shift = services.shift_in(g.community, shift_id)
    services.require_lead(current_user, shift, g.community)
    if ScanForm().validate_on_submit():
        attendance.close_forgotten(g.community)
        done, skipped = attendance.confirm_on_time(shift, g.community, current_user)
        flash(ngettext("%(num)d entry confirmed.", "%(num)d entries confirmed.", len(done)), "success")
        for record, why in skipped:
            flash(_("Not done: %(name)s, “%(activity)s”: %(why)s", name=record.volunteer.display_name,
                    activity=record.activity_name, why=why), "error")
    return redirect(url_for("qr_checkin.shift_roster", shift_id=shift.id))


@bp.post("/shifts/<int:shift_id>/close")
def close_shift(shift_id, community=None):
    shift = services.shift_in(g.community, shift_id)
    services.require_lead(current_user, shift, g.community)
    if ScanForm().validate_on_submit():
        closed = attendance.close_forgotten(g.community)
        flash(ngettext("%(num)d forgotten check-out was closed at the end of its shift.",
                       "%(num)d forgotten check-outs were closed at the end of their shift.", closed), "success")
    return redirect(url_for("qr_checkin.shift_roster", shift_id=shift.id))


@bp.post("/shifts/<int:shift_id>/cancel")
def cancel_shift(shift_id, community=None):
    shift = services.shift_in(g.community, shift_id)
    form = CancelShiftForm()
    if form.validate_on_submit():
        try:
            services.cancel_shift(shift, g.community, current_user, form.reason.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The shift is cancelled; the volunteers were told."), "success")
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("qr_checkin.shift_roster", shift_id=shift.id))


@bp.post("/attendances/<int:attendance_id>/retry")
def retry(attendance_id, community=None):
    row = attendance.attendance_in(g.community, attendance_id)
    if ScanForm().validate_on_submit():
        attendance.retry_hours(row, g.community, current_user)
        flash(shown_text(row.no_hours_reason) or _("The hours were recorded."),
              "error" if row.no_hours_reason else "success")
    return redirect(url_for("qr_checkin.shift_roster", shift_id=row.shift_id))


# --- Leader scan mode -------------------------------------------------------------------------------------------


@bp.route("/scan", methods=["GET", "POST"])
def leader_scan(community=None):
    """The leader scans volunteers' personal codes with the phone camera (or pastes them) to check them in/out."""
    leading = [shift for shift in services.shifts_between(g.community, now() - timedelta(hours=1),
                                                          now() + timedelta(hours=1))
               if services.can_lead(current_user, shift, g.community)]
    posts = {shift.post_id: shift.post for shift in leading}
    if not posts:
        require(current_user, "qr_checkin.manage", g.community)
        posts = {post.id: post for post in services.posts_in(g.community)}
    form = LeaderScanForm()
    form.post_id.choices = [(post.id, post.name) for post in posts.values()]
    result = person = None
    if form.validate_on_submit():
        post = posts.get(form.post_id.data)
        try:
            payload = tokens.read_token(form.token.data.strip())
            if payload["k"] != "u" or payload.get("c") != g.community.id or post is None:
                raise tokens.InvalidToken("invalid")
            tokens.check_personal_payload(payload)
            person = db.session.get(User, int(payload["u"]))
            if person is None:
                raise tokens.InvalidToken("invalid")
        except tokens.InvalidToken as error:
            form.token.errors = [_("This personal code has expired: ask the volunteer to open “My code” again.")
                                 if error.reason == "expired" else _("This is not a personal code of this "
                                                                     "community.")]
        else:
            result = attendance.scan(post, g.community, person, "leader_scan", scanned_by=current_user)
            form.token.data = ""
    return render_template("qr_checkin/leader_scan.html", form=form, result=result, person=person)


# --- Insurance --------------------------------------------------------------------------------------------------


@bp.route("/insurance", methods=["GET", "POST"])
def insurance(community=None):
    require(current_user, "qr_checkin.manage", g.community)
    form = InsuranceForm()
    if form.validate_on_submit():
        try:
            person = find_member(g.community, form.member.data)
            services.record_insurance(g.community, current_user, person, form.insurer.data, form.policy_number.data,
                                      form.valid_until.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("qr_checkin.insurance"))
    search, page = request.args.get("q", "")[:60], page_arg()
    rows, total = schedule.insurance_page(g.community, search=search, page=page,
                                           per_page=schedule.INSURANCE_PER_PAGE)
    return render_template("qr_checkin/insurance.html", form=form, rows=rows, total=total, page=page, search=search,
                           per_page=schedule.INSURANCE_PER_PAGE, today=services.local_day(g.community))
