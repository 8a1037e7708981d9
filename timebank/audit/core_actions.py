"""The words for the audit actions that the core records (accounts, communities, members, the ledger, the API).

Returned by the core's ``timebank_audit_actions``; every code passed to ``record_audit`` in ``timebank/`` (and the
ledger's bulk confirmation, which writes its events itself) is here. ``tests/test_audit_log.py`` checks that none
is missing.
"""

from ..i18n import _l
from ..roles import ROLE_LABELS
from .vocabulary import AuditAction, AuditDetail

MINUTES = AuditDetail("minutes", kind="minutes")
USER = AuditDetail("user_id", kind="user")
ROLE = AuditDetail("role", _l("Role"), choices=ROLE_LABELS)
SCOPES = AuditDetail("scopes", _l("Access"))
BEFORE_ROLE = AuditDetail("from", _l("Before"), choices=ROLE_LABELS)
AFTER_ROLE = AuditDetail("to", _l("After"), choices=ROLE_LABELS)

#: The community's details, by the field name ``community.updated`` records.
COMMUNITY_FIELDS = {
    "name": _l("Community name"),
    "organising_unit": _l("Organising unit"),
    "contact_phone": _l("Contact phone"),
    "address": _l("Address"),
    "timezone": _l("Time zone"),
    "self_registration": _l("Online registration"),
}


def core_audit_actions():
    return [*_accounts(), *_communities(), *_ledger()]


def _accounts():
    return [
        AuditAction("auth.login", _l("logged in")),
        AuditAction("auth.login_failed", _l("failed login"), details=(AuditDetail("username", _l("Username")),)),
        AuditAction("auth.password_changed", _l("changed their password")),
        AuditAction("auth.password_set", _l("set a member's password")),
        AuditAction("user.profile_updated", _l("changed a profile")),
        AuditAction("user.district_admin_created", _l("created a district admin account")),
        AuditAction("proxy.started", _l("began acting for a member")),
        AuditAction("proxy.ended", _l("stopped acting for a member")),
        AuditAction("privacy.erasure_requested", _l("asked to have their personal data erased")),
        AuditAction("privacy.erased", _l("erased a person's personal data")),
        AuditAction("api.token_created", _l("created an API token"), target=_l("Token"),
                    details=(SCOPES, AuditDetail("days", _l("Days valid"), kind="number"))),
        AuditAction("api.login_token_created", _l("logged in from the app"), target=_l("Token"), details=(SCOPES,)),
        AuditAction("api.token_revoked", _l("revoked an API token"), target=_l("Token")),
    ]


def _communities():
    team = _l("Team")
    return [
        AuditAction("community.created", _l("created the community")),
        AuditAction("community.updated", _l("changed the community's details"),
                    details=(AuditDetail("fields", _l("Changed"), choices=COMMUNITY_FIELDS),)),
        AuditAction("settings.changed", _l("changed a feature's settings"),
                    details=(AuditDetail("keys", _l("Changed"), kind="setting"),)),
        AuditAction("plugin.enabled", _l("switched a feature on")),
        AuditAction("plugin.disabled", _l("switched a feature off")),
        AuditAction("membership.applied", _l("asked to join the community")),
        AuditAction("membership.approved", _l("approved a registration"), details=(ROLE,)),
        AuditAction("membership.rejected", _l("turned down a registration")),
        AuditAction("membership.role_changed", _l("changed a member's role"), details=(BEFORE_ROLE, AFTER_ROLE)),
        AuditAction("membership.created", _l("created a member account"), details=(
            ROLE, AuditDetail("own_login", choices={True: _l("logs in themself"),
                                                    False: _l("no login of their own")}))),
        AuditAction("membership.household_set", _l("set a member's household")),
        AuditAction("team.created", _l("created a team"), target=team),
        AuditAction("team.member_added", _l("added a team member"), target=team,
                    details=(USER, AuditDetail("leader", _l("as team leader"), kind="flag"))),
        AuditAction("team.member_removed", _l("took a member off a team"), target=team, details=(USER,)),
        AuditAction("structure.grid_added", _l("added a grid"), target=_l("Grid")),
        AuditAction("structure.building_added", _l("added a building"), target=_l("Building")),
        AuditAction("structure.household_added", _l("added a household"), target=_l("Household")),
    ]


def _ledger():
    record = _l("Service record")
    relative = _l("Relative")
    credits = AuditDetail("minutes", _l("Credits"), kind="credits")
    return [
        AuditAction("ledger.recorded", _l("recorded service hours"), target=record, details=(
            MINUTES, AuditDetail("category", kind="ledger_category"),
            AuditDetail("backfill", _l("back-entry"), kind="flag"))),
        AuditAction("ledger.confirmed", _l("confirmed service hours"), target=record,
                    details=(MINUTES, AuditDetail("bulk", _l("in bulk"), kind="flag"))),
        AuditAction("ledger.auto_confirmed", _l("service hours confirmed automatically"), target=record,
                    details=(MINUTES, AuditDetail("basis", _l("Basis"), kind="ledger_note"))),
        AuditAction("ledger.rejected", _l("turned down service hours"), target=record),
        AuditAction("ledger.corrected", _l("corrected service hours"), target=record, details=(
            AuditDetail("from", _l("Before"), kind="minutes"), AuditDetail("to", _l("After"), kind="minutes"),
            AuditDetail("new_record", _l("New record"), kind="id"))),
        AuditAction("ledger.correction_requested", _l("asked for a correction"), target=record),
        AuditAction("ledger.correction_declined", _l("declined a correction request"), target=record),
        AuditAction("ledger.certificate_issued", _l("issued a certificate"), target=_l("Certificate"),
                    details=(MINUTES,)),
        AuditAction("ledger.exported", _l("exported service records"), details=(
            AuditDetail("format", _l("Format"), choices={"csv": "CSV", "xlsx": "Excel"}),
            AuditDetail("from", _l("From"), kind="date"), AuditDetail("to", _l("Until"), kind="date"))),
        AuditAction("ledger.relative_named", _l("named a relative"), target=relative),
        AuditAction("ledger.relative_confirmed", _l("confirmed a relative"), target=relative),
        AuditAction("ledger.relative_rejected", _l("turned down a relative"), target=relative),
        AuditAction("ledger.gift", _l("gave credits"), details=(credits,)),
        AuditAction("ledger.donation", _l("gave credits to the donation pool"), details=(credits,)),
    ]
