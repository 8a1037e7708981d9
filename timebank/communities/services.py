"""Communities and who belongs to them: creating and changing a community, reading memberships (the visitor's in
the same statement as the page's community), finding members and staff.

Joining and the office's decisions on members (registration, approval, roles, volunteer numbers) are
``timebank.communities.joining``. Every function takes the community explicitly and scopes its queries to it in SQL.
"""

import functools
import re

from flask import g, has_app_context, has_request_context, session
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import lazyload

from .. import community_config, roles
from ..audit.services import record_audit
from ..clock import now
from ..errors import NotFound, ValidationFailed
from ..events import commit
from ..extensions import db
from ..i18n import _
from ..identity.models import User
from ..identity.services import normalise_phone
from ..notifications.services import keep_unread, unread_column
from ..permissions import require
from .models import Community, Household, Membership

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
PENDING, ACTIVE, REJECTED, LEFT = "pending", "active", "rejected", "left"


def valid_slug(slug):
    return bool(slug) and bool(SLUG_RE.match(slug)) and "--" not in slug


def community_by_slug(slug):
    """The community with this slug, or ``NotFound`` (also for malformed slugs)."""
    if not valid_slug(slug or ""):
        raise NotFound(slug)
    row = db.session.execute(_community_and_visitor(), {"slug": slug, **visitor_parameters()}).first()
    if row is None:
        raise NotFound(slug)
    keep_visitor(*row)
    return row[0]


def all_communities():
    return db.session.scalars(select(Community).order_by(Community.name)).all()


def create_community(slug, name, actor=None, timezone="Asia/Shanghai", organising_unit="", contact_phone="",
                     address="", self_registration=True):
    """Create a community. Commits. Raises ``ValidationFailed`` for a malformed or taken slug."""
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    if not valid_slug(slug):
        raise ValidationFailed(
            _("Use 2–40 lower-case letters, digits and single hyphens, not at the start or end."), field="slug"
        )
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    if db.session.scalar(select(Community.id).where(Community.slug == slug)) is not None:
        raise ValidationFailed(_("This short name is already taken."), field="slug")
    _check_timezone(timezone)
    contact_phone = _contact_phone(contact_phone)
    community = Community(slug=slug, name=name[:80], timezone=timezone, organising_unit=organising_unit or name,
                          contact_phone=contact_phone, address=address, self_registration=self_registration,
                          created_at=now())
    db.session.add(community)
    db.session.flush()
    record_audit("community.created", actor=actor, community=community, target=("community", community.id))
    commit()
    return community


def _check_timezone(timezone):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(_("Unknown time zone."), field="timezone") from None


def _contact_phone(value):
    """The community's phone, checked like a member's (it becomes a ``tel:`` link on the home page and the contact
    on certificates): the same formats, digits kept, ``""`` when there is none."""
    return normalise_phone(value, field="contact_phone", message=_(
        "Enter a phone number, e.g. 021-12345678 (an extension after a dash: 021-12345678-801) or "
        "13800138000.")) or ""


def update_community(community, actor, **values):
    """Change a community's details (name, contact, time zone, self-registration). Commits."""
    require(actor, "community.manage", community)
    if "timezone" in values:
        _check_timezone(values["timezone"])
    if "contact_phone" in values:
        values["contact_phone"] = _contact_phone(values["contact_phone"])
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationFailed(_("Enter a name."), field="name")
    changed = []
    for key in ("name", "timezone", "organising_unit", "contact_phone", "address", "self_registration"):
        if key in values and getattr(community, key) != values[key]:
            setattr(community, key, values[key])
            changed.append(key)
    record_audit("community.updated", actor=actor, community=community, detail={"fields": changed})
    commit()
    return community


# --- Memberships ---------------------------------------------------------------------------------------------


def membership_of(user, community):
    """The membership of ``user`` in ``community`` in any status, or ``None``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.community_id == community.id)
    )


def active_membership(user, community):
    """The active membership of ``user`` in ``community`` (cached for the request), or ``None``."""
    if user is None or community is None or not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("_timebank_memberships", {}) if has_app_context() else {}
    key = (user.id, community.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id, Membership.community_id == community.id, Membership.status == ACTIVE
            )
        )
    return cache[key]


def with_visitor(statement):
    """``statement``, which reads a ``Community``, with three more columns: the person logged in to the request's
    session (a ``User`` or ``None``), their active membership in that community (or ``None``) and the number of
    their unread messages. Execute it with ``visitor_parameters()``.

    A page thus reads its community and its visitor in one statement: ``keep_visitor`` keeps the membership for
    ``active_membership`` and the number for the bell, and the user, now in the session's identity map, is what
    the login manager's ``session.get`` then finds without a query (it still checks it, see
    ``timebank.web._load_user``)."""
    return statement.add_columns(User, Membership, unread_column()).join_from(
        Community, User, User.id == bindparam("visitor_id"), isouter=True).join(
        Membership, and_(Membership.user_id == User.id, Membership.community_id == Community.id,
                         Membership.status == ACTIVE), isouter=True).options(
        lazyload(Membership.user), lazyload(Membership.community))  # both are in the identity map already


def visitor_parameters():
    """The parameters of a ``with_visitor`` statement: the user id in the signed session (0: nobody)."""
    raw = session.get("_user_id") if has_request_context() else None
    user_id = str(raw or "").partition(":")[0]
    return {"visitor_id": int(user_id) if user_id.isdigit() and len(user_id) < 19 else 0}


@functools.cache
def _community_and_visitor():
    """Built once: every community page runs it (a built statement also keeps its cache key)."""
    return with_visitor(select(Community).where(Community.slug == bindparam("slug")))


def keep_visitor(community, user, membership, unread):
    """Keep what ``with_visitor`` read as the request's answer of ``active_membership(user, community)`` and as the
    number on the bell (``notifications.services.unread_on_this_page``), and note the version of the community's
    configuration read with it (``community_config.note_version``)."""
    if community is not None:
        community_config.note_version(community)
    if user is not None and community is not None and has_app_context():
        g.setdefault("_timebank_memberships", {})[(user.id, community.id)] = membership
        g._timebank_visitor = user  # the identity map only holds it weakly
        keep_unread(user.id, unread)


def forget_kept_memberships():
    """Drop the memberships kept for the request (``active_membership``) after one changed."""
    if has_app_context():
        g.pop("_timebank_memberships", None)


def memberships_for(user, status=ACTIVE):
    """Memberships of ``user`` in ``status`` (active unless told), community names sorted."""
    return db.session.scalars(
        select(Membership).join(Community).where(Membership.user_id == user.id, Membership.status == status)
        .order_by(Community.name)
    ).all()


def membership_in(community, membership_id):
    """A membership of ``community`` by id; another community's membership is ``NotFound``."""
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.community_id == community.id)
    )
    if membership is None:
        raise NotFound(membership_id)
    return membership


def member_in(community, user_id):
    """The ``User`` behind an (any status) membership of ``community``; else ``NotFound``."""
    user = db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(User.id == user_id, Membership.community_id == community.id)
    )
    if user is None:
        raise NotFound(user_id)
    return user


def household_in(community, household_id):
    if household_id in (None, "", 0):
        return None
    household = None
    if isinstance(household_id, int) and 0 < household_id <= 2**63 - 1:  # larger ids cannot exist
        household = db.session.scalar(
            select(Household).where(Household.id == household_id, Household.community_id == community.id)
        )
    if household is None:
        raise ValidationFailed(_("Choose a household of this community."), field="household_id")
    return household


def staff_of(community, minimum=roles.COORDINATOR):
    """Active members at or above ``minimum`` role (who to notify about approvals)."""
    allowed = [role for role in roles.ROLES if roles.role_at_least(role, minimum)]
    return db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community.id, Membership.status == ACTIVE, Membership.role.in_(allowed)
        )
    ).all()


def member_matches(search):
    """A part of the name, the username or the volunteer number (of a query joining ``User`` and ``Membership``);
    "%" and "_" are searched for as such, not used as wildcards."""
    return or_(User.display_name.icontains(search, autoescape=True), User.username.icontains(search, autoescape=True),
               Membership.volunteer_number.icontains(search, autoescape=True))


def members_page(community, search="", role=None, page=1, per_page=30):
    """Active members of a community, filtered by name/username/volunteer number and role, with the total."""
    query = (
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.status == ACTIVE)
    )
    search = (search or "").strip()
    if search:
        query = query.where(member_matches(search))
    if role in roles.ROLES:
        query = query.where(Membership.role == role)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(User.display_name, User.id).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return rows, total


def find_member(community, text):
    """An active member of ``community`` by username or volunteer number; ``ValidationFailed`` if none."""
    text = (text or "").strip()
    user = db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community.id, Membership.status == ACTIVE,
            or_(User.username == text.lower(), Membership.volunteer_number == text.upper()),
        )
    )
    if user is None:
        raise ValidationFailed(_("No active member with this username or volunteer number."), field="member")
    return user
