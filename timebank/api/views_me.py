"""Who I am: profile, communities, roles, balances and star levels; a community's details and switched-on
plugins."""

from flask import current_app, g
from marshmallow import Schema, fields

from ..communities.services import active_membership, memberships_for
from ..hooks import plugin_system
from ..ledger.reports import summary_for
from ..permissions import can
from ..plugin_state import enabled_plugin_names
from ..roles import ROLE_LABELS, ROLES
from .auth import api_user, current_token
from .blueprint import ApiBlueprint
from .schemas import CommunityRefSchema, community_ref

bp = ApiBlueprint("api_me", __name__, url_prefix="/api/v1/me",
                  description="The token owner's profile, communities, roles, balances and star levels.")
community_bp = ApiBlueprint("api_community", __name__, url_prefix="/api/v1/communities/<community>",
                            description="A community: its details, my place in it, its switched-on plugins.")


class HoursSchema(Schema):
    confirmed_minutes = fields.Integer(required=True, metadata={"description": "Confirmed service, in minutes."})
    pending_minutes = fields.Integer(required=True)
    pending_count = fields.Integer(required=True)
    credit_minutes = fields.Integer(required=True, metadata={"description": "Time-bank credits (60 = 1 credit)."})
    stars = fields.Integer(required=True, metadata={"description": "Star level, 0 to 5."})
    next_star_hours = fields.Integer(allow_none=True, metadata={"description": "Hours for the next star."})
    progress_percent = fields.Integer(required=True)


class MembershipSchema(Schema):
    community = fields.Nested(CommunityRefSchema, required=True)
    role = fields.String(required=True, metadata={"enum": list(ROLES)})
    role_label = fields.String(required=True)
    volunteer_number = fields.String(allow_none=True)
    hours = fields.Nested(HoursSchema, required=True)
    permissions = fields.List(fields.String(), required=True,
                              metadata={"description": "Permission names the person has in this community."})


class ProfileSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    phone = fields.String(allow_none=True)
    locale = fields.String(required=True)
    elder_mode = fields.Boolean(required=True)
    is_district_admin = fields.Boolean(required=True)


class MeSchema(Schema):
    user = fields.Nested(ProfileSchema, required=True)
    communities = fields.List(fields.Nested(MembershipSchema), required=True)
    token_scopes = fields.List(fields.String(), required=True)


class CommunitySchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    organising_unit = fields.String(required=True)
    contact_phone = fields.String(required=True)
    address = fields.String(required=True)
    my_membership = fields.Nested(MembershipSchema, allow_none=True,
                                  metadata={"description": "null for a district admin who is not a member."})


class PluginSchema(Schema):
    name = fields.String(required=True, metadata={"example": "qr_checkin"})
    slug = fields.String(required=True, metadata={"example": "qr-checkin"})
    title = fields.String(required=True)
    description = fields.String(required=True)
    version = fields.String(required=True)
    api_path = fields.String(allow_none=True, metadata={
        "description": "Where the plugin's endpoints are, or null when it offers none."})


class PluginListSchema(Schema):
    items = fields.List(fields.Nested(PluginSchema), required=True)


def hours_of(community, user):
    summary = summary_for(community, user)
    return {"confirmed_minutes": summary.confirmed_minutes, "pending_minutes": summary.pending_minutes,
            "pending_count": summary.pending_count, "credit_minutes": summary.credit_minutes,
            "stars": summary.stars, "next_star_hours": summary.next_star_hours,
            "progress_percent": summary.progress_percent}


def membership_of(membership, user):
    community = membership.community
    permissions = sorted(name for name in plugin_system().permissions if can(user, name, community))
    return {"community": community_ref(community), "role": membership.role,
            "role_label": str(ROLE_LABELS.get(membership.role, membership.role)),
            "volunteer_number": membership.volunteer_number, "hours": hours_of(community, user),
            "permissions": permissions}


@bp.route("", methods=["GET"])
@bp.etag
@bp.response(200, MeSchema)
def me():
    """My profile, communities, roles, balances and star levels"""
    user = api_user()
    return {
        "user": {"id": user.id, "username": user.username, "display_name": user.display_name, "phone": user.phone,
                 "locale": user.locale, "elder_mode": user.elder_mode, "is_district_admin": user.is_district_admin},
        "communities": [membership_of(membership, user) for membership in memberships_for(user)],
        "token_scopes": current_token().scope_list,
    }


@community_bp.route("", methods=["GET"])
@community_bp.etag
@community_bp.response(200, CommunitySchema)
def community():
    """A community's details and my place in it"""
    user = api_user()
    membership = active_membership(user, g.community)
    return {"slug": g.community.slug, "name": g.community.name, "timezone": g.community.timezone,
            "organising_unit": g.community.organising_unit, "contact_phone": g.community.contact_phone,
            "address": g.community.address,
            "my_membership": membership_of(membership, user) if membership is not None else None}


@community_bp.route("/plugins", methods=["GET"])
@community_bp.etag
@community_bp.response(200, PluginListSchema)
def plugins():
    """The plugins switched on in this community"""
    system = plugin_system()
    state = current_app.extensions["timebank_api"]
    with_api = set(state.blueprint_plugins.values())
    names = enabled_plugin_names(g.community)
    items = []
    for info in system.optional_plugins:
        if info.name not in names:
            continue
        items.append({"name": info.name, "slug": info.slug, "title": str(info.title),
                      "description": str(info.description), "version": info.version,
                      "api_path": f"/api/v1/communities/{g.community.slug}/p/{info.slug}" if info.name in with_api
                      else None})
    return {"items": items}
