"""Names of the plugin's codes (slots, ways of delivery, statuses, relations), for templates and exports."""

from types import SimpleNamespace

from timebank.i18n import _l

from .alerts import RESOLUTIONS
from .enrolment import RELATIONS
from .policy import MODE_LABELS, ORDER_STATUS_LABELS, SLOT_LABELS, WELFARE_STATUSES

ENROLMENT_STATE_LABELS = {
    "pending": _l("Waiting for approval"), "active": _l("Enrolled"), "rejected": _l("Not approved"),
    "ended": _l("Ended"),
}
ROUND_STATE_LABELS = {
    "open": _l("Not started"), "started": _l("On the way"), "finished": _l("Finished"), "cancelled": _l("Cancelled"),
}
PLACED_AS_LABELS = {
    "self": _l("the elder"), "family": _l("family"), "grid_worker": _l("grid worker"), "canteen": _l("canteen"),
    "coordinator": _l("coordinator"),
}


def template_labels():
    """``elder_meals_labels`` in templates: ``elder_meals_labels.slots["lunch"]`` and so on."""
    return SimpleNamespace(slots=SLOT_LABELS, modes=MODE_LABELS, order_states=ORDER_STATUS_LABELS,
                           welfare=WELFARE_STATUSES, relations=RELATIONS, enrolment_states=ENROLMENT_STATE_LABELS,
                           round_states=ROUND_STATE_LABELS, placed_as=PLACED_AS_LABELS, resolutions=RESOLUTIONS)
