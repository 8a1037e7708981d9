"""The words of the repair service: categories, urgencies, statuses, parts of the day, and their labels."""

from datetime import time

from timebank.i18n import _l

WATER, ELECTRICITY, DRAINS, LOCKS, APPLIANCES, HEATING, GAS_CHECK = (
    "water", "electricity", "drains", "locks", "appliances", "heating", "gas_check")
CATEGORIES = (WATER, ELECTRICITY, DRAINS, LOCKS, APPLIANCES, HEATING, GAS_CHECK)
CATEGORY_LABELS = {
    WATER: _l("Water and taps"),
    ELECTRICITY: _l("Electricity and lights"),
    DRAINS: _l("Blocked drains"),
    LOCKS: _l("Locks and doors"),
    APPLIANCES: _l("Small appliances"),
    HEATING: _l("Heating"),
    GAS_CHECK: _l("Gas safety check (inspection and referral only)"),
}
CATEGORY_HINTS = {
    WATER: _l("A dripping tap, a leaking pipe, a running toilet"),
    ELECTRICITY: _l("A tripped switch, a dead socket, a broken light (done by a licensed electrician)"),
    DRAINS: _l("A blocked sink, floor drain or toilet"),
    LOCKS: _l("A stiff lock, a door that does not close, a broken window catch"),
    APPLIANCES: _l("A rice cooker, fan, kettle or radio that stopped working"),
    HEATING: _l("A cold radiator, air in the heating, a leaking valve"),
    GAS_CHECK: _l("Volunteers check for leaks and explain what to do, and refer repairs to the gas company. They "
                  "never repair, install or move gas pipes or appliances."),
}
#: What the work-order form and the order page say about gas, every time.
GAS_NOTICE = _l("Gas is inspection and referral only: the volunteers check hoses, valves and alarms and call in the "
                "gas company for any repair. If you smell gas now: do not switch anything on or off, open the "
                "windows, leave, and call the gas company's emergency line.")

EMERGENCY, NORMAL = "emergency", "normal"
URGENCIES = (NORMAL, EMERGENCY)
URGENCY_LABELS = {
    NORMAL: _l("Normal: within a day or two"),
    EMERGENCY: _l("Emergency: a burst pipe, no power, water coming through the ceiling"),
}
URGENCY_SHORT = {NORMAL: _l("Normal"), EMERGENCY: _l("Emergency")}

# Work-order statuses, in the order a visit goes through them.
SUBMITTED, ASSIGNED, ON_THE_WAY, IN_PROGRESS, DONE = "submitted", "assigned", "on_the_way", "in_progress", "done"
SIGNED_OFF, CLOSED, REOPENED, CANCELLED = "signed_off", "closed", "reopened", "cancelled"
STATUSES = (SUBMITTED, ASSIGNED, ON_THE_WAY, IN_PROGRESS, DONE, SIGNED_OFF, CLOSED, REOPENED, CANCELLED)
#: Waiting for the coordinator (or, for submitted ones, a volunteer's claim).
UNASSIGNED = (SUBMITTED, REOPENED)
#: A volunteer holds the job.
WITH_VOLUNTEER = (ASSIGNED, ON_THE_WAY, IN_PROGRESS, DONE)
#: Not finished from the resident's point of view.
ACTIVE = (*UNASSIGNED, *WITH_VOLUNTEER)
STATUS_LABELS = {
    SUBMITTED: _l("Submitted"),
    ASSIGNED: _l("Volunteer assigned"),
    ON_THE_WAY: _l("On the way to the home"),
    IN_PROGRESS: _l("Work in progress"),
    DONE: _l("Done, waiting for sign-off"),
    SIGNED_OFF: _l("Signed off"),
    CLOSED: _l("Closed"),
    REOPENED: _l("Reopened"),
    CANCELLED: _l("Cancelled"),
}
#: The tag colour class of each status (always shown with the status's words: colour is never the only signal).
STATUS_TAGS = {SUBMITTED: "tag-warn", REOPENED: "tag-warn", CANCELLED: "tag-off", CLOSED: "tag-on",
               SIGNED_OFF: "tag-on"}

# What happened to an order: the status history.
ACTION_LABELS = {
    "submitted": _l("Request submitted"),
    "assigned": _l("Volunteer assigned by the coordinator"),
    "claimed": _l("Volunteer took the job"),
    "handed_back": _l("Volunteer handed the job back"),
    "on_the_way": _l("Volunteer on the way"),
    "started": _l("Work started"),
    "finished": _l("Work finished"),
    "signed_off": _l("Signed off by the resident"),
    "rated": _l("Rated"),
    "reopened": _l("Reopened after a poor rating"),
    "closed": _l("Closed"),
    "expired": _l("Closed: no rating within the follow-up period"),
    "cancelled": _l("Cancelled"),
}

# Parts of the day a resident may prefer, and when a visit in each starts by default.
DAY_PARTS = ("am", "pm", "eve")
DAY_PART_LABELS = {"am": _l("Morning (8–12)"), "pm": _l("Afternoon (13–17)"), "eve": _l("Evening (18–20)")}
DAY_PART_START = {"am": time(9, 0), "pm": time(14, 0), "eve": time(18, 30)}
DAY_PART_OF_HOUR = (("am", 0, 12), ("pm", 12, 18), ("eve", 18, 24))
WEEKDAY_LABELS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))

SIGNOFF_ON_OWN_PHONE, SIGNOFF_ON_VOLUNTEER_PHONE, SIGNOFF_BY_STAFF = "own_phone", "volunteer_phone", "staff"
SIGNOFF_LABELS = {
    SIGNOFF_ON_OWN_PHONE: _l("on the resident's own phone"),
    SIGNOFF_ON_VOLUNTEER_PHONE: _l("on the volunteer's phone, with the resident's sign-off code"),
    SIGNOFF_BY_STAFF: _l("entered by the coordinator for the resident"),
}


def day_part_of(moment_local):
    """The part of the day ("am", "pm", "eve") of a local time."""
    for part, start, end in DAY_PART_OF_HOUR:
        if start <= moment_local.hour < end:
            return part
    return "eve"
