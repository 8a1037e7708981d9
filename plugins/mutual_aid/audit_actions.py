"""What the neighbour exchange's entries in the audit log say (``timebank_audit_actions``): one per code it
records."""

from timebank.audit.vocabulary import AuditAction, AuditDetail
from timebank.i18n import _l


def audit_actions():
    listing, agreement = _l("Help listing"), _l("Help agreement")
    return [
        AuditAction("mutual_aid.profile_updated", _l("changed a member's exchange standing"), details=(
            AuditDetail("priority_elder", _l("Priority elder (help paid from the donation pool)"), kind="yesno"),
            AuditDetail("verified", _l("Identity checked by the community"), kind="yesno"),
            AuditDetail("suspended", _l("Suspended from the exchange"), kind="yesno"))),
        AuditAction("mutual_aid.posted", _l("posted a request or offer of help"), target=listing),
        AuditAction("mutual_aid.withdrawn", _l("withdrew a request or offer of help"), target=listing),
        AuditAction("mutual_aid.responded", _l("answered a request or offer of help"), target=listing),
        AuditAction("mutual_aid.agreed", _l("agreed on help between neighbours"), target=agreement),
        AuditAction("mutual_aid.completed", _l("confirmed help was given"), target=agreement, details=(
            AuditDetail("minutes", kind="minutes"), AuditDetail("rating", _l("Rating"), kind="number"))),
        AuditAction("mutual_aid.settled", _l("confirmed the hours of an exchange"), target=agreement),
        AuditAction("mutual_aid.cancelled", _l("cancelled an agreement"), target=agreement),
        AuditAction("mutual_aid.reported", _l("reported a problem with a member")),
        AuditAction("mutual_aid.report_resolved", _l("closed a report about a member")),
    ]
