"""Members' pages: browse and post, answer, accept, confirm the help, my agreements."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.communities.services import active_membership
from timebank.communities.structure import buildings_in, grids_in
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _
from timebank.identity.proxy import current_subject

from . import exchange, lines, services
from .blueprints import bp
from .forms import AcceptForm, CompleteForm, FilterForm, ListingForm, ReasonForm, ReportForm, RespondForm
from .policy import category_label, exchange_policy, home_visit


def people_i_act_for(user):
    """Myself first, then the relatives a coordinator confirmed (a daughter posts for her mother)."""
    return [user, *services.confirmed_relatives(g.community, user)]


def _for_whom_choices(user):
    return [(person.id, person.display_name if person.id != user.id else _("Myself"))
            for person in people_i_act_for(user)]


def _chosen(user, person_id):
    person = next((p for p in people_i_act_for(user) if p.id == person_id), None)
    if person is None:
        raise ValidationFailed(_("Choose one of the options."), field="for_whom")
    return person


def cards_context(user, community):
    people = lines.people_lines(community, user)
    household_id = getattr(active_membership(user, community), "household_id", None)
    needs = lines.need_lines(community, household_id, not_owned_by=user, limit=3) if household_id else []
    return {"agreements": lines.agreement_lines(community, people, active_only=True, limit=3), "needs": needs,
            "balances": {person.id: person.credits for person in people}, "people": people}


@bp.get("/")
def index(community=None):
    subject = current_subject()
    policy = exchange_policy(g.community)
    form = FilterForm(request.args)
    form.kind.choices = [("", _("Offers and requests")), ("request", _("Requests")), ("offer", _("Offers"))]
    form.category.choices = [("", _("Any kind"))] + [(code, category_label(code)) for code in policy.categories]
    form.building.choices = [("", _("Anywhere"))] + [(str(b.id), b.name) for b in buildings_in(g.community)]
    form.grid.choices = [("", _("All grids"))] + [(str(grid.id), grid.name) for grid in grids_in(g.community)]
    building = int(form.building.data) if (form.building.data or "").isdigit() else None
    grid = int(form.grid.data) if (form.grid.data or "").isdigit() else None
    listings = services.open_listings(g.community, kind=form.kind.data or None, category=form.category.data or None,
                                      building_id=building, grid_id=grid,
                                      from_day=form.day.data if form.validate() else None)
    people = people_i_act_for(subject)
    return render_template("mutual_aid/index.html", listings=listings, form=form, label=category_label,
                           agreements=services.agreements_of(g.community, people, active_only=True),
                           mine=services.my_listings(g.community, people), people=people,
                           balances=exchange.balances_for(g.community, people),
                           suspended=services.profile_of(g.community, subject).suspended)


@bp.route("/new", methods=["GET", "POST"])
def new_listing(community=None):
    subject = current_subject()
    policy = exchange_policy(g.community)
    form = ListingForm()
    form.for_whom.choices = _for_whom_choices(subject)
    form.category.choices = [(code, category_label(code)) for code in policy.categories]
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in ("offer", "request") else "request"
    if form.validate_on_submit():
        try:
            listing = services.post_listing(
                g.community, current_user, _chosen(subject, form.for_whom.data), kind=form.kind.data,
                category=form.category.data, title=form.title.data, description=form.description.data,
                expected_minutes=form.expected_minutes.data, when_text=form.when_text.data,
                wanted_on=form.wanted_on.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        except PermissionDenied as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Posted. Neighbours can answer now."), "success")
            return redirect(url_for("mutual_aid.listing", listing_id=listing.id))
    return render_template("mutual_aid/new.html", form=form)


def _mine(listing, user):
    return services.may_act_for(user, listing.owner, g.community)


@bp.route("/listings/<int:listing_id>", methods=["GET", "POST"])
def listing(listing_id, community=None):
    subject = current_subject()
    item = services.listing_in(g.community, listing_id)
    mine = _mine(item, current_user)
    respond_form = RespondForm(prefix="respond")
    respond_form.for_whom.choices = _for_whom_choices(subject)
    if request.method == "POST" and request.form.get("action") == "respond" and respond_form.validate_on_submit():
        try:
            # A helper answers for themself; help offered can be asked for a relative too.
            person = subject if item.kind == "request" else _chosen(subject, respond_form.for_whom.data)
            services.respond(item, g.community, current_user, person, respond_form.message.data)
        except ValidationFailed as error:
            apply_domain_error(respond_form, error)
        except PermissionDenied as error:
            respond_form.form_errors.append(error.message)
        else:
            flash(_("Sent. You will get a message when they accept."), "success")
            return redirect(url_for("mutual_aid.listing", listing_id=item.id))
    profiles = {}
    responses = services.responses_to(item) if mine else []
    if mine and home_visit(item.category):
        profiles = {r.person_id: services.profile_of(g.community, r.person) for r in responses}
    return render_template("mutual_aid/listing.html", item=item, mine=mine, responses=responses,
                           respond_form=respond_form, accept_form=AcceptForm(prefix="accept"), profiles=profiles,
                           reason_form=ReasonForm(), label=category_label, home_visit=home_visit(item.category),
                           answered=any(r.person_id == subject.id for r in services.responses_to(item)))


@bp.post("/listings/<int:listing_id>/accept/<int:response_id>")
def accept(listing_id, response_id, community=None):
    item = services.listing_in(g.community, listing_id)
    response = services.response_in(item, response_id)
    form = AcceptForm(prefix="accept")
    if form.validate_on_submit():
        when = datetime.combine(form.agreed_date.data, form.agreed_time.data, ZoneInfo(g.community.timezone))
        try:
            agreement = services.accept(item, g.community, current_user, response, when)
        except (ValidationFailed, PermissionDenied) as error:
            flash(error.message, "error")
        else:
            flash(_("Agreed. You can now see each other's contact details."), "success")
            return redirect(url_for("mutual_aid.agreement", agreement_id=agreement.id))
    else:
        flash(_("Enter the agreed day and time."), "error")
    return redirect(url_for("mutual_aid.listing", listing_id=item.id))


@bp.post("/listings/<int:listing_id>/withdraw")
def withdraw(listing_id, community=None):
    item = services.listing_in(g.community, listing_id)
    if ActionForm().validate_on_submit():
        try:
            services.withdraw_listing(item, g.community, current_user)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Withdrawn."), "success")
    return redirect(url_for("mutual_aid.index"))


@bp.route("/agreements/<int:agreement_id>", methods=["GET", "POST"])
def agreement(agreement_id, community=None):
    item = services.agreement_in(g.community, agreement_id)
    if not services.party_to(item, current_user, g.community):
        raise NotFound(agreement_id)
    complete_form = CompleteForm(prefix="complete")
    if request.method == "GET" and complete_form.minutes.data is None:
        complete_form.minutes.data = item.expected_minutes
    if request.method == "POST" and complete_form.validate_on_submit():
        try:
            exchange.complete(item, g.community, current_user, complete_form.minutes.data, complete_form.rating.data,
                              complete_form.comment.data)
        except ValidationFailed as error:
            apply_domain_error(complete_form, error)
        except PermissionDenied as error:
            complete_form.form_errors.append(error.message)
        else:
            flash(_("Thank you! The help is recorded."), "success")
            return redirect(url_for("mutual_aid.agreement", agreement_id=item.id))
    people = [item.helper, item.recipient]
    return render_template("mutual_aid/agreement.html", item=item, complete_form=complete_form,
                           reason_form=ReasonForm(), report_form=ReportForm(), label=category_label,
                           can_complete=services.may_act_for(current_user, item.recipient, g.community),
                           balances=exchange.balances_for(g.community, people),
                           households={person.id: _household(person) for person in people})


def _household(person):
    membership = active_membership(person, g.community)
    return membership.household.label if membership and membership.household else ""


@bp.post("/agreements/<int:agreement_id>/cancel")
def cancel(agreement_id, community=None):
    item = services.agreement_in(g.community, agreement_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            exchange.cancel(item, g.community, current_user, form.reason.data)
        except (ValidationFailed, PermissionDenied) as error:
            flash(error.message, "error")
        else:
            flash(_("Cancelled. The post is open again."), "success")
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("mutual_aid.agreement", agreement_id=item.id))


@bp.post("/agreements/<int:agreement_id>/report")
def report(agreement_id, community=None):
    item = services.agreement_in(g.community, agreement_id)
    if not services.party_to(item, current_user, g.community):
        raise NotFound(agreement_id)
    form = ReportForm()
    if form.validate_on_submit():
        about = item.helper if services.may_act_for(current_user, item.recipient, g.community) else item.recipient
        services.report(g.community, current_user, about, form.text.data, item)
        flash(_("Your report went to the coordinators."), "success")
    else:
        flash(_("Describe what happened."), "error")
    return redirect(url_for("mutual_aid.agreement", agreement_id=item.id))

