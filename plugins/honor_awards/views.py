"""Members' pages: campaigns, nominating, voting, "my nominations and honours", consent, photos, certificates."""

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.communities.structure import buildings_in, household_choices
from timebank.errors import ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _
from timebank.identity.proxy import current_subject
from timebank.permissions import can

from . import awards, nominations, notices, voting
from .blueprints import bp
from .campaigns import campaigns_in, phase_of
from .dashboard import running_campaigns
from .forms import NominationForm
from .services import (
    KIND_LABELS,
    LEVEL_LABELS,
    NOMINATOR_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    award_in,
    campaign_in,
    local_today,
    nomination_in,
    public_name,
)


@bp.context_processor
def _labels():
    return {"ha_kinds": KIND_LABELS, "ha_levels": LEVEL_LABELS, "ha_statuses": STATUS_LABELS,
            "ha_phases": PHASE_LABELS, "ha_nominators": NOMINATOR_LABELS, "ha_public_name": public_name}


@bp.get("/")
def index(community=None):
    open_notices, _closed = notices.public_notices(g.community)
    finished = [c for c in campaigns_in(g.community) if c.status in ("final", "cancelled") and c.kind != "star"]
    return render_template("honor_awards/index.html", running=running_campaigns(current_subject(), g.community, phases=None),
                           finished=finished, open_notices=open_notices,
                           can_manage=can(current_user, "honor_awards.manage", g.community))


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id, community=None):
    campaign = campaign_in(g.community, campaign_id)
    phase = phase_of(campaign, local_today(g.community))
    subject = current_subject()
    return render_template("honor_awards/campaign.html", campaign=campaign, phase=phase, form=ActionForm(),
                           candidates=voting.shortlisted_for_vote(campaign) if phase == "voting" else [],
                           my_vote=voting.vote_today(campaign, g.community, subject) if phase == "voting" else None,
                           results=awards.campaign_awards(campaign) if phase == "final" else [],
                           can_manage=can(current_user, "honor_awards.manage", g.community))


@bp.route("/campaigns/<int:campaign_id>/nominate", methods=["GET", "POST"])
def nominate(campaign_id, community=None):
    campaign = campaign_in(g.community, campaign_id)
    form = NominationForm()
    form.household_id.choices = [(0, _("— choose —")), *household_choices(g.community)]
    form.building_id.choices = [(0, _("— choose —"))] + [
        (building.id, building.name) for building in buildings_in(g.community)]
    _label_nominee_fields(form, campaign)
    if form.validate_on_submit():
        try:
            nominations.nominate(
                campaign, g.community, current_subject(), nominator_kind=form.nominator_kind.data,
                statement=form.statement.data, motto=form.motto.data,
                organisation_name=form.organisation_name.data, household_id=form.household_id.data,
                building_id=form.building_id.data, nominee_name=form.nominee_name.data,
                full_name_consent=form.full_name_consent.data,
                photos=[photo for photo in request.files.getlist(form.photos.name) if photo and photo.filename])
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Thank you: the nomination was sent to the committee."), "success")
            return redirect(url_for("honor_awards.mine"))
    return render_template("honor_awards/nominate.html", campaign=campaign, form=form,
                           phase=phase_of(campaign, local_today(g.community)))


def _label_nominee_fields(form, campaign):
    """The same fields ask for a person or for a family, depending on the campaign."""
    if campaign.kind == "person":
        form.household_id.label.text = _("Household the person lives in")
        form.nominee_name.label.text = _("Name of the person")
    else:
        form.household_id.label.text = _("Household")
        form.nominee_name.label.text = _("Name of a household member")
        form.nominee_name.description = _("The family is named after this person on the notice (masked unless "
                                          "they agree).")


@bp.post("/campaigns/<int:campaign_id>/vote/<int:nomination_id>")
def vote(campaign_id, nomination_id, community=None):
    campaign = campaign_in(g.community, campaign_id)
    nomination = nomination_in(g.community, nomination_id)
    if ActionForm().validate_on_submit():
        try:
            voting.cast_vote(campaign, g.community, current_subject(), nomination,
                             device=voting.device_fingerprint(request.remote_addr, request.user_agent.string))
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Thank you for voting for %(name)s.", name=public_name(nomination)), "success")
    return redirect(url_for("honor_awards.campaign", campaign_id=campaign.id))


@bp.get("/mine")
def mine(community=None):
    subject = current_subject()
    about = nominations.nominations_about(g.community, subject)
    return render_template("honor_awards/mine.html", made=nominations.nominated_by(g.community, subject),
                           about=about, awards=awards.awards_of(g.community, subject), form=ActionForm(),
                           deciding={n.id for n in about if nominations.may_decide_consent(n, g.community, subject)})


@bp.post("/nominations/<int:nomination_id>/consent")
def consent(nomination_id, community=None):
    nomination = nomination_in(g.community, nomination_id)
    form = ActionForm()
    if form.validate_on_submit():
        nominations.set_consent(nomination, g.community, current_subject(), form.value.data == "full")
        flash(_("Saved: your name will be shown in full.") if form.value.data == "full"
              else _("Saved: your name will be shown masked."), "success")
    return redirect(url_for("honor_awards.mine"))


@bp.get("/nominations/<int:nomination_id>/photos/<int:photo_id>.jpg")
def photo(nomination_id, photo_id, community=None):
    nomination = nomination_in(g.community, nomination_id)
    picture = nominations.photo_for(nomination, g.community, current_user, photo_id)
    response = Response(picture.content, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    # Shown in the page, never run as anything else; saved under a neutral name (the upload's is not kept).
    response.headers["Content-Disposition"] = f'inline; filename="nomination-{nomination.id}-{picture.id}.jpg"'
    return response


@bp.get("/awards/<int:award_id>/certificate")
def certificate(award_id, community=None):
    award = awards.certificate_for(award_in(g.community, award_id), g.community, current_subject())
    return render_template("honor_awards/certificate.html", award=award,
                           name=awards.certificate_name(award))
