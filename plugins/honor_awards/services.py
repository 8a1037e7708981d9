"""Shared pieces of the honour awards services: settings, local dates, working days, look-ups scoped to the
community, public names, and the labels of kinds, levels and statuses.

The rules themselves live in ``campaigns.py`` (campaigns and their phases), ``nominations.py`` (nominating,
eligibility, consent), ``review.py`` (home visits, scores, shortlist), ``voting.py`` (the public vote),
``awards.py`` (publishing, finalising, awards, honour wall), ``stars.py`` (star volunteers from the ledger) and
``notices.py`` (the reusable public notice with objections).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from timebank.clock import now
from timebank.communities.services import staff_of
from timebank.errors import NotFound
from timebank.extensions import db
from timebank.i18n import _, _l, mask_name
from timebank.settings import settings_for

from .models import Award, Campaign, Nomination

PLUGIN = "honor_awards"

KIND_LABELS = {"household": _l("Families"), "person": _l("People"), "building": _l("Buildings"),
               "star": _l("Star volunteers")}
LEVEL_LABELS = {"community": _l("Community"), "subdistrict": _l("Sub-district"), "district": _l("District"),
                "city": _l("City"), "province": _l("Province"), "national": _l("National")}
NOMINATOR_LABELS = {"self": _l("Self-nomination"), "neighbour": _l("Nominated by a neighbour"),
                    "grid_worker": _l("Nominated by the grid worker"),
                    "organisation": _l("Nominated by an organisation"), "ledger": _l("From confirmed hours")}
STATUS_LABELS = {"nominated": _l("Nominated"), "shortlisted": _l("Shortlisted"), "on_notice": _l("On public notice"),
                 "awarded": _l("Awarded"), "disqualified": _l("Not eligible"), "withdrawn": _l("Withdrawn"),
                 "not_selected": _l("Not selected")}
PHASE_LABELS = {"upcoming": _l("Not open yet"), "nominating": _l("Nominations open"), "reviewing": _l("Under review"),
                "voting": _l("Public vote"), "ready": _l("Review finished"), "notice": _l("On public notice"),
                "final": _l("Awarded"), "cancelled": _l("Cancelled")}


@dataclass(frozen=True)
class AwardSettings:
    notice_days: int
    star_notice_working_days: int
    stars_enabled: bool
    vote_limit: str
    vote_weight_percent: int
    suspicious_votes: int
    suspicious_minutes: int
    min_residence_months: int
    subdistrict_name: str


def award_settings(community):
    return AwardSettings(**settings_for(PLUGIN, community))


# --- Time ---------------------------------------------------------------------------------------------------------


def zone(community):
    return ZoneInfo(community.timezone)


def local_today(community, moment=None):
    return (moment or now()).astimezone(zone(community)).date()


def start_of_day(community, day):
    """The aware moment a local day begins."""
    return datetime.combine(day, time(0), zone(community))


def add_working_days(day: date, count: int):
    """The date ``count`` working days (Monday–Friday) after ``day``."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current


def in_default_language():
    """Texts stored for the public (notice titles, award names) are written in the installation's language."""
    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN"))


# --- Look-ups, scoped to the community in SQL -----------------------------------------------------------------------


def as_id(value):
    """An id from a form or a URL as an int that can exist in the database, else ``None``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= 2**63 - 1 else None


def campaign_in(community, campaign_id):
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == as_id(campaign_id),
                                                        Campaign.community_id == community.id))
    if campaign is None:
        raise NotFound(campaign_id)
    return campaign


def nomination_in(community, nomination_id):
    nomination = db.session.scalar(select(Nomination).where(Nomination.id == as_id(nomination_id),
                                                            Nomination.community_id == community.id))
    if nomination is None:
        raise NotFound(nomination_id)
    return nomination


def award_in(community, award_id):
    award = db.session.scalar(select(Award).where(Award.id == as_id(award_id), Award.community_id == community.id))
    if award is None:
        raise NotFound(award_id)
    return award


def coordinators_of(community):
    return staff_of(community)


# --- Names in public ------------------------------------------------------------------------------------------------


def public_name(nomination):
    """The nominee's name as the candidate consented: in full, or masked (张*明). Buildings are not people."""
    building = nomination.building if nomination.building_id is not None else None
    return public_label(nomination.nominee_name, nomination.name_consent, nomination.user_id, nomination.household_id,
                        nomination.building_id, building.name if building is not None else None)


def public_label(nominee_name, name_consent, user_id, household_id, building_id, building_name):
    """``public_name`` from a nomination's columns (lists that read columns, not objects)."""
    if building_id is not None:
        return building_name or nominee_name
    name = nominee_name if name_consent == "full" else mask_name(nominee_name)
    if household_id is not None and user_id is None:
        return _("The %(name)s family", name=name)
    return name


def full_name(nomination):
    """The nominee's name for coordinators and official papers (never for public pages)."""
    if nomination.building_id is not None:
        return public_name(nomination)
    if nomination.household_id is not None and nomination.user_id is None:
        label = _("The %(name)s family", name=nomination.nominee_name)
        return f"{label} ({nomination.household.label})" if nomination.household else label
    return nomination.nominee_name
