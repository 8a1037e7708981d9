"""Volunteers' pages: coming shifts and sign-up, "my code", the six-digit fallback, and the scan landing page."""


from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from timebank.clock import now
from timebank.database import keep_loaded_after_commit
from timebank.errors import NotFound, ValidationFailed
from timebank.i18n import _
from timebank.identity.proxy import current_subject
from timebank.layout import quick_page
from timebank.permissions import can
from timebank.web import page_arg

from . import attendance, codes, schedule, services, tokens
from .blueprints import bp, scan_bp
from .forms import CodeForm, ScanForm


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -180 <= number <= 180 else None


@bp.get("/")
def index(community=None):
    """Shifts day by day: my coming shifts on top, a strip of the next two weeks (today by default), one page of
    the chosen day's shifts, optionally of one kind of post."""
    subject = current_subject()
    today, last = schedule.signup_window(g.community)
    day, problem = schedule.pick_day(g.community, request.args.get("day"), today, last)
    kind, page = schedule.pick_kind(request.args.get("kind")), page_arg()
    shifts, total = schedule.day_shifts(g.community, day, kind=kind, page=page, per_page=schedule.PER_PAGE)
    upcoming = services.upcoming_for(g.community, subject, days=schedule.SIGNUP_DAYS, limit=20)
    ids = list(dict.fromkeys([shift.id for shift in upcoming] + [shift.id for shift in shifts]))
    return render_template(
        "qr_checkin/index.html", day=day, today=today, problem=problem, kind=kind, page=page, total=total,
        per_page=schedule.PER_PAGE, shifts=shifts, upcoming=upcoming, kinds=schedule.kinds_in_use(g.community),
        kind_labels=services.POST_KIND_LABELS, strip=schedule.day_summaries(g.community, today, last, kind=kind),
        counts=services.signup_counts(ids), mine=services.my_signups(subject, ids), now=now(),
        recent=attendance.my_attendances(g.community, subject, limit=5),
        can_manage=can(current_user, "qr_checkin.manage", g.community))


def _back_to_day(shift):
    """The shift list on the shift's day (today's list when the day is not on the strip)."""
    day = services.local_day(g.community, shift.starts_at)
    today, last = schedule.signup_window(g.community)
    if today <= day <= last:
        return url_for("qr_checkin.index", day=day.isoformat(), kind=schedule.pick_kind(request.args.get("kind")))
    return url_for("qr_checkin.index")


@bp.post("/shifts/<int:shift_id>/signup")
def signup(shift_id, community=None):
    shift = services.shift_in(g.community, shift_id)
    if ScanForm().validate_on_submit():
        try:
            result = services.sign_up(shift, g.community, current_subject())
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("You are on duty: thank you!") if result.status == "confirmed"
                  else _("The shift is full: you are on the waiting list."), "success")
    return redirect(_back_to_day(shift))


@bp.post("/shifts/<int:shift_id>/leave")
def leave(shift_id, community=None):
    shift = services.shift_in(g.community, shift_id)
    if ScanForm().validate_on_submit():
        try:
            services.cancel_signup(shift, g.community, current_subject())
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Your place was given back."), "success")
    return redirect(_back_to_day(shift))


@bp.get("/my-code")
def my_code(community=None):
    """The volunteer's personal code for the leader to scan; it changes every minute."""
    subject = current_subject()
    from .posters import qr_data_uri

    return render_template("qr_checkin/my_code.html",
                           picture=qr_data_uri(tokens.personal_token(subject, g.community)),
                           refresh=tokens.seconds_left(tokens.PERSONAL_WINDOW_SECONDS),
                           period=tokens.PERSONAL_WINDOW_SECONDS)


@bp.get("/my-code.svg")
def my_code_svg(community=None):
    from .posters import qr_response

    return qr_response(tokens.personal_token(current_subject(), g.community), cache=False)


@bp.route("/code", methods=["GET", "POST"])
def enter_code(community=None):
    """For people whose camera fails: type the six digits the kiosk shows."""
    quick_page()
    form = CodeForm()
    if form.validate_on_submit():
        post = codes.post_for_fallback_code(g.community, form.code.data)
        if post is None:
            form.code.errors = [_("This code is not valid (any more). Look at the screen again: the code changes "
                                  "every few minutes.")]
        else:
            result = attendance.scan(post, g.community, current_subject(), "fallback",
                                     _float(form.latitude.data), _float(form.longitude.data))
            return render_template("qr_checkin/scan_result.html", result=result, post=post)
    return render_template("qr_checkin/enter_code.html", form=form)


# --- The address in the QR codes --------------------------------------------------------------------------------


def _post_for_token(token):
    """``(post, community, method)`` for a token that opens a post now; ``tokens.InvalidToken`` or ``NotFound``
    (the plugin is off in the post's community: answered like any unknown address) as an exception object."""
    try:
        return codes.post_for_token(token)
    except (tokens.InvalidToken, NotFound) as error:
        return error


@scan_bp.url_value_preprocessor
def _read_the_code_first(endpoint, values):
    """Before the login check: the statement that reads the post and its community also reads the person scanning
    (``codes.post_for_token``), who is then in the session when the login check asks for them (one statement less
    on the hot path of the check-in rush). The view takes the answer once the person is known to be logged in; the
    community becomes the request's only then (the community pages' guard does not apply to a scan)."""
    if endpoint == "qr_checkin_scan.scan" and values and "token" in values:
        g._timebank_scan = _post_for_token(values["token"])


def _scanned_post(token):
    """``(post, method, None)`` for a token that opens a post now, else ``(None, None, reason)``."""
    found = g.pop("_timebank_scan", None) or _post_for_token(token)
    if isinstance(found, NotFound):
        raise found
    if isinstance(found, tokens.InvalidToken):
        return None, None, found.reason
    post, g.community, method = found
    return post, method, None


@scan_bp.route("/scan/<token>", methods=["GET", "POST"])
@login_required
def scan(token):
    """Opened by the phone's camera app: confirm with one tap (no change of state on GET), then check in/out."""
    quick_page()
    post, method, problem = _scanned_post(token)
    if problem is not None:
        return render_template("qr_checkin/scan_problem.html", problem=problem), 400
    form = ScanForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("qr_checkin/scan_problem.html", problem="invalid"), 400
        with keep_loaded_after_commit():  # the result page shows the post, the person and the new row
            result = attendance.scan(post, g.community, current_subject(), method, _float(form.latitude.data),
                                     _float(form.longitude.data))
        return render_template("qr_checkin/scan_result.html", result=result, post=post)
    settings = services.checkin_settings(g.community)
    shift = attendance.open_shift_at(post, current_subject(), now(), settings)
    checked_in = shift is not None and attendance._open_attendance(shift, current_subject()) is not None
    return render_template("qr_checkin/scan_confirm.html", post=post, shift=shift, form=form, checked_in=checked_in,
                           next_shift=attendance.next_shift_at(post, now()) if shift is None else None)
