"""What the repair team's entries in the audit log say (``timebank_audit_actions``): one per code it records."""

from timebank.audit.vocabulary import AuditAction, AuditDetail
from timebank.i18n import _l

from .vocabulary import CATEGORY_LABELS, SIGNOFF_LABELS, URGENCY_SHORT


def audit_actions():
    order = _l("Work order")
    cost = AuditDetail("cost_fen", _l("Cost"), kind="yuan")
    return [
        AuditAction("repair_team.submitted", _l("asked for a repair"), target=order, details=(
            AuditDetail("category", choices=CATEGORY_LABELS), AuditDetail("urgency", choices=URGENCY_SHORT),
            AuditDetail("photos", _l("Photos"), kind="number"))),
        AuditAction("repair_team.assigned", _l("gave a repair to a volunteer"), target=order,
                    details=(AuditDetail("volunteer_id", kind="user"),)),
        AuditAction("repair_team.claimed", _l("took a repair job"), target=order),
        AuditAction("repair_team.handed_back", _l("handed a repair job back"), target=order),
        AuditAction("repair_team.cancelled", _l("cancelled a repair request"), target=order),
        AuditAction("repair_team.material_added", _l("added materials to a repair"), target=order, details=(cost,)),
        AuditAction("repair_team.material_removed", _l("took materials off a repair"), target=order,
                    details=(cost,)),
        AuditAction("repair_team.signed_off", _l("signed off a repair"), target=order, details=(
            AuditDetail("method", choices=SIGNOFF_LABELS),
            AuditDetail("materials_fen", _l("Materials"), kind="yuan"))),
        AuditAction("repair_team.rated", _l("rated a repair"), target=order,
                    details=(AuditDetail("rating", _l("Rating"), kind="number"),)),
        AuditAction("repair_team.closed", _l("closed a repair"), target=order),
        AuditAction("repair_team.member_added", _l("added a volunteer to the repair team")),
        AuditAction("repair_team.member_removed", _l("took a volunteer off the repair team")),
        AuditAction("repair_team.skills_saved", _l("saved a volunteer's repair skills"),
                    details=(AuditDetail("categories", choices=CATEGORY_LABELS),)),
        AuditAction("repair_team.availability_saved", _l("saved a volunteer's free times")),
    ]
