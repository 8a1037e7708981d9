"""Nominations: who may nominate whom, the eligibility rules, photos, the candidate's consent to be named, and the
coordinators' one-veto disqualification (its reason is never public)."""

import io
from datetime import timedelta

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Building, Grid, Membership
from timebank.communities.services import ACTIVE, active_membership, household_in
from timebank.database import paged
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, ngettext
from timebank.identity.models import User
from timebank.notifications.services import notify
from timebank.permissions import can, require
from timebank.validation import clean_text

from . import notices
from .campaigns import phase_of
from .models import NOMINATOR_KINDS, Award, Campaign, Nomination, Photo
from .services import PLUGIN, as_id, award_settings, local_today, public_name

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # refuse decompression bombs before decoding
PHOTO_EDGE = 1600
STATEMENT_MIN_CHARS = 20


# --- Nominating -------------------------------------------------------------------------------------------------------


def household_of(user, community):
    """The household of the person's active membership, or ``None``."""
    membership = active_membership(user, community)
    return membership.household if membership is not None else None


def _person_in_household(community, household_id, name):
    """The active member of a household with this name (neighbours know the flat and the name, not usernames)."""
    household = household_in(community, as_id(household_id) or household_id)
    if household is None:
        raise ValidationFailed(_("Choose the household the person lives in."), field="household_id")
    name = clean_text(name, "nominee_name", 60, required=True, missing=_("Enter the person's name."))
    user = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.community_id == community.id, Membership.status == ACTIVE,
        Membership.household_id == household.id, User.display_name == name))
    if user is None:
        raise ValidationFailed(_("Nobody of this name is registered in that household. Check the name, or ask "
                                 "the coordinator to register the person first."), field="nominee_name")
    return user


def _resolve_nominee(campaign, community, subject, nominator_kind, nominee_user, household_id, building_id,
                     nominee_name):
    """``(user, household, building, name)`` of the candidate."""
    own_household = household_of(subject, community)
    if campaign.kind == "person":
        if nominator_kind == "self":
            return subject, None, None, subject.display_name
        user = nominee_user or _person_in_household(community, household_id, nominee_name)
        if user.id == subject.id:
            raise ValidationFailed(_("To nominate yourself, choose self-nomination."), field="nominator_kind")
        return user, None, None, user.display_name
    if campaign.kind == "household":
        if nominator_kind == "self":
            if own_household is None:
                raise ValidationFailed(_("Your household is not recorded yet; ask the coordinator to add it."),
                                       field="nominator_kind")
            name = clean_text(nominee_name, "nominee_name", 60) or subject.display_name
            return None, own_household, None, name
        household = household_in(community, as_id(household_id) or household_id)
        if household is None:
            raise ValidationFailed(_("Choose the household."), field="household_id")
        if own_household is not None and household.id == own_household.id:
            raise ValidationFailed(_("To nominate your own household, choose self-nomination."),
                                   field="nominator_kind")
        name = clean_text(nominee_name, "nominee_name", 60, required=True,
                          missing=_("Enter the name of a household member (the family is named after them)."))
        return None, household, None, name
    if nominator_kind == "self":
        if own_household is None:
            raise ValidationFailed(_("Your household is not recorded yet; ask the coordinator to add it."),
                                   field="nominator_kind")
        building = own_household.building
    else:
        building = db.session.scalar(select(Building).where(Building.id == as_id(building_id),
                                                            Building.community_id == community.id))
        if building is None:
            raise ValidationFailed(_("Choose the building."), field="building_id")
    return None, None, building, building.name


def _check_nominator(campaign, community, nominator, nominator_kind, organisation_name):
    require(nominator, "honor_awards.nominate", community)
    if nominator_kind not in NOMINATOR_KINDS or nominator_kind == "ledger":
        raise ValidationFailed(_("Choose one of the options."), field="nominator_kind")
    if nominator_kind == "grid_worker":
        is_grid_worker = db.session.scalar(select(Grid.id).where(Grid.community_id == community.id,
                                                                 Grid.grid_worker_id == nominator.id).limit(1))
        if is_grid_worker is None and not can(nominator, "honor_awards.manage", community):
            raise ValidationFailed(_("Only the grid worker of a grid nominates as grid worker."),
                                   field="nominator_kind")
    if nominator_kind == "organisation":
        if not can(nominator, "honor_awards.nominate_for_organisation", community):
            raise ValidationFailed(_("Nominations by an organisation are entered by team leaders or staff."),
                                   field="nominator_kind")
        return clean_text(organisation_name, "organisation_name", 60, required=True,
                          missing=_("Name the organisation (e.g. the women's federation, a party branch)."))
    return ""


def eligibility_problem(campaign, community, user=None, household=None, building=None):
    """Why a candidate cannot be nominated (a translated sentence), or ``None``: residence in the community, the
    minimum residence period (*policy*), not already honoured at this level this year, not nominated twice."""
    months = award_settings(community).min_residence_months
    earliest = None
    if user is not None:
        membership = active_membership(user, community)
        if membership is None:
            return _("%(name)s is not an active member of this community.", name=user.display_name)
        earliest = membership.created_at
    elif household is not None:
        earliest = db.session.scalar(select(Membership.created_at).where(
            Membership.household_id == household.id, Membership.status == ACTIVE)
            .order_by(Membership.created_at).limit(1))
        if earliest is None and months:
            return _("Nobody of this household is registered in the community yet.")
    if months and (earliest is None or earliest > now() - timedelta(days=round(months * 30.44))):
        return ngettext("Candidates must have lived in the community for at least %(num)d month.",
                        "Candidates must have lived in the community for at least %(num)d months.", months)
    honoured = select(Award.id).where(Award.community_id == community.id, Award.level == campaign.level,
                                      Award.year == campaign.year, Award.kind != "star")
    same = select(Nomination.id).where(Nomination.campaign_id == campaign.id,
                                       Nomination.status.not_in(("withdrawn",)))
    if user is not None:
        honoured, same = honoured.where(Award.user_id == user.id), same.where(Nomination.user_id == user.id)
    elif household is not None:
        honoured = honoured.where(Award.household_id == household.id)
        same = same.where(Nomination.household_id == household.id)
    else:
        honoured = honoured.where(Award.building_id == building.id)
        same = same.where(Nomination.building_id == building.id)
    if db.session.scalar(honoured.limit(1)):
        return _("Already honoured at this level this year: a candidate is honoured once per level and year.")
    if db.session.scalar(same.limit(1)):
        return _("Already nominated in this campaign. Thank you: the committee will look at it.")
    return None


def nominate(campaign, community, nominator, *, nominator_kind, statement, motto="", organisation_name="",
             nominee_user=None, household_id=None, building_id=None, nominee_name="", full_name_consent=False,
             photos=()):
    """Nominate a household, person or building while nominations are open. Checks who may nominate and the
    eligibility rules, stores up to three photos, and tells the candidate. Commits.

    ``photos``: uploaded files (objects with ``read()``) or bytes. ``full_name_consent`` counts only for a
    self-nomination: others are asked for their consent afterwards."""
    if campaign.kind == "star":
        raise ValidationFailed(_("Star volunteers are proposed by their confirmed hours, not by nomination."))
    if phase_of(campaign, local_today(community)) != "nominating":
        raise ValidationFailed(_("Nominations for this campaign are closed."))
    organisation_name = _check_nominator(campaign, community, nominator, nominator_kind, organisation_name)
    user, household, building, name = _resolve_nominee(campaign, community, nominator, nominator_kind,
                                                       nominee_user, household_id, building_id, nominee_name)
    problem = eligibility_problem(campaign, community, user, household, building)
    if problem:
        raise ValidationFailed(problem, field="nominee_name" if campaign.kind != "building" else "building_id")
    statement = clean_text(statement, "statement", 5000, required=True,
                           missing=_("Tell the committee what the candidate has done."))
    if len(statement) < STATEMENT_MIN_CHARS:
        raise ValidationFailed(_("Please describe the deeds in at least %(n)d characters.", n=STATEMENT_MIN_CHARS),
                               field="statement")
    images = [image for image in (_prepare_photo(photo) for photo in photos if photo) if image]  # empty parts out
    if len(images) > MAX_PHOTOS:
        raise ValidationFailed(_("At most %(n)d photos.", n=MAX_PHOTOS), field="photos")
    consent = "full" if nominator_kind == "self" and full_name_consent else (
        "masked" if nominator_kind == "self" else "undecided")
    nomination = Nomination(community_id=community.id, campaign_id=campaign.id, user_id=getattr(user, "id", None),
                            household_id=getattr(household, "id", None), building_id=getattr(building, "id", None),
                            nominee_name=name, nominator_kind=nominator_kind, nominated_by_id=nominator.id,
                            organisation_name=organisation_name, statement=statement,
                            motto=clean_text(motto, "motto", 60), name_consent=consent, status="nominated",
                            created_at=now())
    try:
        with db.session.begin_nested():
            db.session.add(nomination)
    except IntegrityError:  # the same candidate, nominated a moment ago
        raise ValidationFailed(_("Already nominated in this campaign. Thank you: the committee will look at it."),
                               field="nominee_name") from None
    for content, width, height in images:
        db.session.add(Photo(nomination_id=nomination.id, content=content, width=width, height=height,
                             created_at=now()))
    _tell_candidate(nomination, community, nominator)
    record_audit("honor_awards.nominated", actor=nominator, community=community,
                 target=("honor_awards_nomination", nomination.id), detail={"kind": nominator_kind})
    commit()
    return nomination


def _tell_candidate(nomination, community, nominator):
    for person in consent_holders(nomination, community):
        if person.id != nominator.id:
            notify(person, "honor_awards.nominated",
                   N_("You were nominated for “%(title)s”. Choose how your name may appear in public."),
                   community=community, link=f"/c/{community.slug}/p/honor-awards/mine",
                   title=nomination.campaign.title)


def _prepare_photo(upload):
    """Decode, shrink and re-encode a photo as JPEG (which drops its metadata: no GPS position leaks)."""
    data = upload if isinstance(upload, bytes) else upload.read(MAX_PHOTO_BYTES + 1)
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed(_("Each photo may be at most 5 MB."), field="photos")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP", "MPO") or image.width * image.height > MAX_PHOTO_PIXELS:
                raise ValidationFailed(_("Photos must be JPEG, PNG or WebP pictures."), field="photos")
            image.load()
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(_("Photos must be JPEG, PNG or WebP pictures."), field="photos") from None
    picture.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue(), picture.width, picture.height


# --- Consent --------------------------------------------------------------------------------------------------------


def consent_holders(nomination, community):
    """Who decides how the candidate is named: the person, or the active members of the household."""
    if nomination.user_id is not None:
        return [nomination.user]
    if nomination.household_id is not None:
        return db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community.id, Membership.household_id == nomination.household_id,
            Membership.status == ACTIVE).order_by(User.id)).all()
    return []


def may_decide_consent(nomination, community, user):
    return any(person.id == user.id for person in consent_holders(nomination, community))


def set_consent(nomination, community, subject, full_name):
    """The candidate agrees (or no longer agrees) to be named in full in public. Commits."""
    if not may_decide_consent(nomination, community, subject):
        raise PermissionDenied("honor_awards.consent", _("Only the candidate decides how they are named."))
    nomination.name_consent = "full" if full_name else "masked"
    notices.relabel_item(PLUGIN, f"nomination-{nomination.id}", public_name(nomination))
    record_audit("honor_awards.consent_set", actor=subject, community=community,
                 target=("honor_awards_nomination", nomination.id), detail={"consent": nomination.name_consent})
    commit()


# --- The one veto ---------------------------------------------------------------------------------------------------


def disqualify(nomination, community, actor, reason):
    """Record a one-veto disqualifier (a crime, gambling, a bad civility record...). The reason stays with the
    coordinators: never public, never shown to the candidate or the nominator. Commits."""
    require(actor, "honor_awards.manage", community)
    reason = clean_text(reason, "reason", 2000, required=True, missing=_("Record the reason (it stays internal)."))
    if nomination.campaign.status != "active" or nomination.status not in ("nominated", "shortlisted"):
        raise ValidationFailed(_("This candidate can no longer be changed here."))
    nomination.status, nomination.disqualified_reason = "disqualified", reason
    nomination.decided_by_id, nomination.decided_at = actor.id, now()
    record_audit("honor_awards.disqualified", actor=actor, community=community,
                 target=("honor_awards_nomination", nomination.id))
    commit()


# --- Lists ----------------------------------------------------------------------------------------------------------


def nominations_of(campaign, statuses=None):
    query = select(Nomination).where(Nomination.campaign_id == campaign.id)
    if statuses:
        query = query.where(Nomination.status.in_(statuses))
    return db.session.scalars(query.order_by(Nomination.created_at, Nomination.id)).all()


#: Nominations a page on the review board.
BOARD_PER_PAGE = 30


def board_page(campaign, status=None, page=1, per_page=BOARD_PER_PAGE):
    """One page of the campaign's nominations for the review board, in the order they came in (only ``status``
    when given): ``(nominations, total, page)``; a page beyond the last shows the last. A star campaign of a
    large community holds hundreds of candidates."""
    query = select(Nomination).where(Nomination.campaign_id == campaign.id)
    if status:
        query = query.where(Nomination.status == status)
    return paged(query, page, per_page, (Nomination.created_at, Nomination.id))


def status_counts(campaign):
    """``{status: number of nominations}`` of the campaign, in one statement."""
    return dict(db.session.execute(select(Nomination.status, func.count(Nomination.id))
                                   .where(Nomination.campaign_id == campaign.id).group_by(Nomination.status)).all())


def nominated_by(community, user):
    return db.session.scalars(select(Nomination).where(Nomination.community_id == community.id,
                                                       Nomination.nominated_by_id == user.id)
                              .order_by(Nomination.created_at.desc())).all()


def nominations_about(community, user):
    """Nominations of the person, of their household, and their star candidacies (newest first)."""
    household = household_of(user, community)
    condition = Nomination.user_id == user.id
    if household is not None:
        condition = or_(condition, Nomination.household_id == household.id)
    return db.session.scalars(select(Nomination).join(Campaign, Campaign.id == Nomination.campaign_id)
                              .where(Nomination.community_id == community.id, condition)
                              .order_by(Nomination.created_at.desc())).all()


def undecided_consents(community, user):
    """Running nominations about this person whose naming they have not decided yet."""
    return [n for n in nominations_about(community, user)
            if n.name_consent == "undecided" and n.status in ("nominated", "shortlisted", "on_notice")]


def photos_of(nomination):
    return db.session.scalars(select(Photo.id).where(Photo.nomination_id == nomination.id).order_by(Photo.id)).all()


def photo_for(nomination, community, viewer, photo_id):
    """A photo for reviewers, the nominator and the candidate; anybody else gets ``NotFound``."""
    allowed = (can(viewer, "honor_awards.review", community) or viewer.id == nomination.nominated_by_id
               or may_decide_consent(nomination, community, viewer))
    photo = db.session.scalar(select(Photo).where(Photo.id == as_id(photo_id),
                                                  Photo.nomination_id == nomination.id))
    if photo is None or not allowed:
        raise NotFound(photo_id)
    return photo
