"""What the duty shifts' entries in the audit log say (``timebank_audit_actions``): one per code it records."""

from timebank.audit.vocabulary import AuditAction, AuditDetail
from timebank.i18n import _l

#: How a volunteer checked in or out (``method`` of the attendance).
METHOD_LABELS = {
    "static": _l("printed code"),
    "rotating": _l("rotating code"),
    "fallback": _l("fallback code"),
    "leader_scan": _l("scanned by the leader"),
    "auto": _l("closed automatically"),
}


def audit_actions():
    post, shift, attendance = _l("Post"), _l("Shift"), _l("Check-in")
    method = AuditDetail("method", choices=METHOD_LABELS)
    return [
        AuditAction("qr_checkin.post_saved", _l("saved a duty post"), target=post),
        AuditAction("qr_checkin.posters_withdrawn", _l("withdrew a post's printed codes"), target=post),
        AuditAction("qr_checkin.shift_created", _l("created a shift"), target=shift),
        AuditAction("qr_checkin.series_created", _l("created repeating shifts"), target=_l("Shift series"),
                    details=(AuditDetail("shifts", _l("Shifts"), kind="number"),)),
        AuditAction("qr_checkin.shift_cancelled", _l("cancelled a shift"), target=shift),
        AuditAction("qr_checkin.signed_up", _l("signed up for a shift"), target=shift, details=(
            AuditDetail("status", choices={"confirmed": _l("has a place"), "waitlist": _l("On the waiting list")}),)),
        AuditAction("qr_checkin.signup_cancelled", _l("cancelled a sign-up"), target=shift),
        AuditAction("qr_checkin.insurance_recorded", _l("recorded a volunteer's insurance")),
        AuditAction("qr_checkin.checked_in", _l("checked in"), target=attendance, details=(method,)),
        AuditAction("qr_checkin.checked_out", _l("checked out"), target=attendance, details=(
            AuditDetail("minutes", kind="minutes"), AuditDetail("auto", _l("closed automatically"), kind="flag"))),
    ]
