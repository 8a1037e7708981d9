"""What the meal service's entries in the audit log say (``timebank_audit_actions``): one per code it records."""

from timebank.audit.vocabulary import AuditAction, AuditDetail
from timebank.i18n import _l

from .alerts import RESOLUTIONS
from .enrolment import RELATIONS
from .labels import PLACED_AS_LABELS
from .policy import MODE_LABELS, SLOT_LABELS


def audit_actions():
    elder, order, meal_round = _l("Elder"), _l("Meal order"), _l("Delivery round")
    day, slot = AuditDetail("day", kind="date"), AuditDetail("slot", choices=SLOT_LABELS)
    mode, late = AuditDetail("mode", choices=MODE_LABELS), AuditDetail("late", _l("after the cut-off"), kind="flag")
    menus = AuditDetail("menus", _l("Menus"), kind="number")
    relation = AuditDetail("relation", choices={**RELATIONS, "self": PLACED_AS_LABELS["self"]})
    return [
        AuditAction("elder_meals.enrolled", _l("enrolled an elder for meals"), target=elder),
        AuditAction("elder_meals.applied", _l("asked for the meal service"), target=elder, details=(relation,)),
        AuditAction("elder_meals.approved", _l("approved a meal-service application"), target=elder),
        AuditAction("elder_meals.rejected", _l("turned down a meal-service application"), target=elder),
        AuditAction("elder_meals.updated", _l("changed an elder's meal-service details"), target=elder,
                    details=(AuditDetail("birth_date_changed", _l("date of birth changed"), kind="flag"),)),
        AuditAction("elder_meals.status_changed", _l("changed an elder's subsidy status"), target=elder, details=(
            AuditDetail("from", _l("Valid from"), kind="date"), AuditDetail("orders", _l("Orders"), kind="number"))),
        AuditAction("elder_meals.consent_withdrawn", _l("withdrew consent to the meal service"), target=elder),
        AuditAction("elder_meals.ended", _l("ended an elder's meal service"), target=elder),
        AuditAction("elder_meals.family_added", _l("linked a family member"), target=elder,
                    details=(AuditDetail("user_id", kind="user"), relation)),
        AuditAction("elder_meals.family_removed", _l("unlinked a family member"), target=elder,
                    details=(AuditDetail("user_id", kind="user"),)),
        AuditAction("elder_meals.canteen_staff_added", _l("added canteen staff")),
        AuditAction("elder_meals.canteen_staff_removed", _l("removed canteen staff")),
        AuditAction("elder_meals.menu_saved", _l("saved the menu"), target=_l("Menu")),
        AuditAction("elder_meals.week_published", _l("published the week's menus"),
                    details=(AuditDetail("week", _l("Week of"), kind="date"), menus)),
        AuditAction("elder_meals.week_copied", _l("copied a week's menus"), details=(
            AuditDetail("from", _l("Copied from"), kind="date"), AuditDetail("to", _l("Copied to"), kind="date"),
            menus)),
        AuditAction("elder_meals.order_placed", _l("ordered a meal"), target=order, details=(
            day, slot, mode, AuditDetail("as", _l("Ordered by"), choices=PLACED_AS_LABELS), late)),
        AuditAction("elder_meals.order_changed", _l("changed a meal order"), target=order,
                    details=(mode, AuditDetail("portions", _l("Portions"), kind="number"), late)),
        AuditAction("elder_meals.order_cancelled", _l("cancelled a meal order"), target=order, details=(late,)),
        AuditAction("elder_meals.order_served", _l("marked a meal served"), target=order),
        AuditAction("elder_meals.order_missed", _l("marked a meal not collected"), target=order),
        AuditAction("elder_meals.payment_recorded", _l("recorded a payment"), target=order, details=(
            AuditDetail("paid", choices={True: _l("Paid"), False: _l("not paid")}),)),
        AuditAction("elder_meals.rounds_planned", _l("planned delivery rounds"), details=(
            day, slot, AuditDetail("rounds", _l("Rounds"), kind="number"),
            AuditDetail("stops", _l("Stops"), kind="number"))),
        AuditAction("elder_meals.round_taken", _l("took a delivery round"), target=meal_round),
        AuditAction("elder_meals.round_given_back", _l("gave a delivery round back"), target=meal_round),
        AuditAction("elder_meals.round_started", _l("started a delivery round"), target=meal_round),
        AuditAction("elder_meals.round_finished", _l("finished a delivery round"), target=meal_round),
        AuditAction("elder_meals.stop_delivered", _l("delivered a meal"), target=order),
        AuditAction("elder_meals.stop_no_answer", _l("found nobody answering the door"), target=order),
        AuditAction("elder_meals.no_answer", _l("raised a no-answer alert"), target=_l("Alert")),
        AuditAction("elder_meals.alert_resolved", _l("resolved a no-answer alert"), target=_l("Alert"),
                    details=(AuditDetail("resolution", choices=RESOLUTIONS),)),
        AuditAction("elder_meals.sample_taken", _l("kept a food sample"), target=_l("Food sample")),
        AuditAction("elder_meals.sample_discarded", _l("discarded a food sample"), target=_l("Food sample")),
        AuditAction("elder_meals.statement_exported", _l("exported a meal statement"), target=elder, details=(
            AuditDetail("what", choices={"community": _l("Subsidy claim"), "community-cli": _l("Subsidy claim"),
                                         "elder": _l("Statement")}),
            AuditDetail("month", _l("Month")))),
    ]
