"""The volunteer's pages: My hours, history, claims, correction requests, credits, certificates, leaderboard."""

from decimal import ROUND_HALF_UP, Decimal

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..communities.services import active_membership, find_member
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..events import commit
from ..forms import apply_domain_error
from ..i18n import _
from ..identity.proxy import current_subject
from ..web import page_arg, year_arg
from . import certificates, corrections, credits, records, reports
from .categories import ledger_categories
from .claims import claim_hours
from .forms import (
    CertificateForm,
    ClaimForm,
    ConsentForm,
    CorrectionRequestForm,
    DonateForm,
    GiftForm,
    RelativeForm,
)
from .policy import ledger_policy

bp = Blueprint("ledger", __name__, url_prefix="/c/<community>/hours")


#: Fields of ``record_service`` errors → the fields of the claim and back-entry forms.
FORM_FIELDS = {"started_at": "start_time", "ended_at": "end_time", "volunteer": "volunteers"}


def show_record_error(form, error):
    """Put a ledger error beside the form field it is about."""
    error.field = FORM_FIELDS.get(error.field, error.field)
    apply_domain_error(form, error)


def category_choices(only_counting=True):
    return [(code, category.label) for code, category in sorted(ledger_categories().items())
            if category.counts_hours or not only_counting]


def credit_minutes(amount):
    """A decimal number of credits → whole minutes (1.5 → 90)."""
    return int((Decimal(amount) * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@bp.get("/")
def my_hours(community=None):
    subject = current_subject()
    summary, months = reports.hours_overview(g.community, subject)
    pending = reports.newest_records(g.community, subject, status="pending")
    membership = active_membership(subject, g.community)
    from .plugin import is_volunteer

    return render_template("ledger/my_hours.html", subject=subject, summary=summary, pending=pending,
                           volunteer=is_volunteer(subject, g.community),
                           months=months, membership=membership,
                           policy=ledger_policy(g.community))


@bp.get("/history")
def history(community=None):
    subject = current_subject()
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    year = year_arg()
    page = page_arg()
    rows, total = reports.history_page(g.community, subject, status=status, category=category, year=year, page=page)
    return render_template("ledger/history.html", rows=rows, total=total, page=page, per_page=reports.PER_PAGE,
                           status=status, category=category, year=year, categories=category_choices(False),
                           superseded=reports.superseded_ids(rows))


@bp.route("/claim", methods=["GET", "POST"])
def claim(community=None):
    subject = current_subject()
    policy = ledger_policy(g.community)
    if not policy.claims_enabled:
        raise PermissionDenied("ledger.claim", _("This community records hours only through check-in and "
                                                 "coordinators."))
    from .plugin import is_volunteer

    if not is_volunteer(subject, g.community):
        raise PermissionDenied("ledger.claim", _("Only registered volunteers record service hours. Ask your "
                                                 "community's coordinator if you want to volunteer."))
    form = ClaimForm()
    form.category.choices = category_choices()
    if form.validate_on_submit():
        start, end = form.service_times(g.community.timezone)
        try:
            record = claim_hours(
                g.community, subject, current_user, category=form.category.data,
                activity_name=form.activity_name.data, started_at=start, ended_at=end, minutes=form.minutes.data,
                place=form.place.data, content=form.content.data, activity_leader=form.activity_leader.data,
                evidence_note=form.evidence_note.data)
        except ValidationFailed as error:
            show_record_error(form, error)
        else:
            flash(_("Your hours were sent for confirmation."), "success")
            return redirect(url_for("ledger.record", record_id=record.id))
    return render_template("ledger/claim.html", form=form, policy=policy)


@bp.route("/records/<int:record_id>", methods=["GET", "POST"])
def record(record_id, community=None):
    subject = current_subject()
    entry = records.record_in(g.community, record_id)
    if entry.volunteer_id != subject.id:
        raise NotFound(record_id)
    form = CorrectionRequestForm()
    if form.validate_on_submit():
        try:
            corrections.request_correction(entry, g.community, subject, form.message.data, form.requested_minutes.data)
        except ValidationFailed as error:
            if _correction_pending(entry):  # asked already (a second tap, another tab): the page shows that request
                flash(error.message, "error")
                return redirect(url_for("ledger.record", record_id=entry.id))
            apply_domain_error(form, error)
        else:
            flash(_("Your request was sent to the coordinators."), "success")
            return redirect(url_for("ledger.record", record_id=entry.id))
    return render_template("ledger/record.html", entry=entry, form=form, corrected_by=corrections.corrected_by(entry),
                           correction=corrections.latest_correction_request(entry),
                           category=ledger_categories().get(entry.category))


def _correction_pending(entry):
    latest = corrections.latest_correction_request(entry)
    return latest is not None and latest.status == "open"


@bp.post("/consent")
def consent(community=None):
    """Agree (or stop agreeing) to appear on the leaderboard with a masked name."""
    form = ConsentForm()
    membership = active_membership(current_subject(), g.community)
    if form.validate_on_submit() and membership is not None:
        membership.public_consent = form.public_consent.data == "1"
        commit()
        flash(_("Saved."), "success")
    return redirect(url_for("ledger.my_hours"))


def _gift_form(subject):
    form = GiftForm()
    policy = ledger_policy(g.community)
    if policy.gift_policy == "confirmed_relatives":
        form.receiver.choices = [(r.relative_id, r.relative.display_name)
                                 for r in credits.relatives_of(g.community, subject) if r.status == "confirmed"]
    return form


@bp.route("/credits", methods=["GET", "POST"])
def credit_page(community=None):
    subject = current_subject()
    policy = ledger_policy(g.community)
    gift_form, donate_form, relative_form = _gift_form(subject), DonateForm(prefix="donate"), RelativeForm(
        prefix="relative")
    action = request.form.get("action")
    if request.method == "POST":
        try:
            if action == "gift" and gift_form.validate_on_submit():
                receiver = _gift_receiver(gift_form, policy)
                credits.gift_credits(g.community, subject, receiver, credit_minutes(gift_form.amount.data),
                                     current_user)
                flash(_("The credits were given."), "success")
                return redirect(url_for("ledger.credit_page"))
            if action == "donate" and donate_form.validate_on_submit():
                credits.donate_credits(g.community, subject, credit_minutes(donate_form.amount.data), current_user)
                flash(_("Thank you! The credits went to the community's pool for elders in need."), "success")
                return redirect(url_for("ledger.credit_page"))
            if action == "relative" and relative_form.validate_on_submit():
                relative = find_member(g.community, relative_form.relative.data)
                credits.name_relative(g.community, subject, relative, relative_form.relation.data, current_user)
                flash(_("A coordinator will confirm this relative."), "success")
                return redirect(url_for("ledger.credit_page"))
        except ValidationFailed as error:
            target = {"gift": gift_form, "donate": donate_form}.get(action, relative_form)
            if error.field == "member":
                error.field = "relative" if action == "relative" else "receiver"
            apply_domain_error(target, error)
    summary = reports.summary_for(g.community, subject)
    return render_template("ledger/credits.html", summary=summary, policy=policy, gift_form=gift_form,
                           donate_form=donate_form, relative_form=relative_form,
                           relatives=credits.relatives_of(g.community, subject))


def _gift_receiver(form, policy):
    """Relatives are picked from the list; with "any member" the giver types a username or number."""
    from ..identity.services import user_by_id

    if policy.gift_policy == "any_member":
        return find_member(g.community, form.receiver_text.data)
    receiver = user_by_id(form.receiver.data) if form.receiver.data else None
    if receiver is None or active_membership(receiver, g.community) is None:
        raise ValidationFailed(_("Choose who receives the credits."), field="receiver")
    return receiver


@bp.route("/certificates", methods=["GET", "POST"])
def certificate_list(community=None):
    subject = current_subject()
    form = CertificateForm()
    if form.validate_on_submit():
        try:
            certificate = certificates.issue_certificate(g.community, subject, current_user,
                                                         form.period_start.data, form.period_end.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            return redirect(url_for("ledger.certificate", number=certificate.number))
    return render_template("ledger/certificates.html", form=form,
                           issued=certificates.certificates_of(g.community, subject))


@bp.get("/certificates/<number>")
def certificate(number, community=None):
    subject = current_subject()
    found = certificates.certificate_in(g.community, subject, number)
    return render_template("ledger/certificate.html", certificate=found,
                           verify_url=certificates.verification_url(found),
                           period=certificates.period_label(found), printed=certificates.printed_texts(found))


@bp.get("/leaderboard")
def leaderboard(community=None):
    policy = ledger_policy(g.community)
    if not policy.leaderboard_enabled:
        raise NotFound("leaderboard")
    year = year_arg()
    return render_template("ledger/leaderboard.html", rows=reports.leaderboard(g.community, year=year), year=year,
                           membership=active_membership(current_subject(), g.community))

