"""What the honour awards' entries in the audit log say (``timebank_audit_actions``): one per code it records."""

from timebank.audit.vocabulary import AuditAction, AuditDetail
from timebank.i18n import _l

from .services import NOMINATOR_LABELS


def audit_actions():
    nomination, campaign = _l("Nomination"), _l("Campaign")
    notice, reason = _l("Public notice"), AuditDetail("reason", _l("Reason"))
    return [
        AuditAction("honor_awards.campaign_saved", _l("saved an award campaign"), target=campaign),
        AuditAction("honor_awards.campaign_cancelled", _l("cancelled an award campaign"), target=campaign,
                    details=(reason,)),
        AuditAction("honor_awards.nominated", _l("sent in a nomination"), target=nomination,
                    details=(AuditDetail("kind", choices=NOMINATOR_LABELS),)),
        AuditAction("honor_awards.consent_set", _l("chose how their name is shown"), target=nomination,
                    details=(AuditDetail("consent", choices={"full": _l("full name"),
                                                             "masked": _l("masked name")}),)),
        AuditAction("honor_awards.disqualified", _l("found a nomination not eligible"), target=nomination),
        AuditAction("honor_awards.visited", _l("recorded a home visit"), target=nomination),
        AuditAction("honor_awards.scored", _l("scored a nomination"), target=nomination),
        AuditAction("honor_awards.shortlisted", _l("shortlisted a nomination"), target=nomination),
        AuditAction("honor_awards.unshortlisted", _l("took a nomination off the shortlist"), target=nomination),
        AuditAction("honor_awards.voted", _l("voted"), target=campaign),
        AuditAction("honor_awards.votes_voided", _l("voided votes"), target=campaign,
                    details=(AuditDetail("votes", _l("Votes"), kind="number"), reason)),
        AuditAction("honor_awards.published", _l("published the results on public notice"), target=campaign,
                    details=(AuditDetail("winners", _l("Winners"), kind="number"),)),
        AuditAction("honor_awards.forwarded", _l("sent the results on"), target=campaign,
                    details=(AuditDetail("to", _l("Sent to")),)),
        AuditAction("honor_awards.awarded", _l("award granted"), target=_l("Award")),
        AuditAction("honor_awards.notice_opened", _l("opened a public notice"), target=notice,
                    details=(AuditDetail("owner", kind="hidden"), AuditDetail("subject", kind="hidden"))),
        AuditAction("honor_awards.objection_lodged", _l("lodged an objection"), target=notice),
        AuditAction("honor_awards.objection_upheld", _l("upheld an objection"), target=notice,
                    details=(AuditDetail("objection", _l("Objection"), kind="id"),)),
        AuditAction("honor_awards.objection_dismissed", _l("dismissed an objection"), target=notice,
                    details=(AuditDetail("objection", _l("Objection"), kind="id"),)),
        AuditAction("honor_awards.notice_closed", _l("closed a public notice"), target=notice,
                    details=(AuditDetail("items", _l("Items on the notice"), kind="number"),)),
        AuditAction("honor_awards.star_candidate", _l("volunteer reached a star level"), target=nomination,
                    details=(AuditDetail("level", _l("Stars"), kind="number"),)),
        AuditAction("honor_awards.star_withdrawn", _l("star candidacy withdrawn (hours corrected)"),
                    target=nomination),
    ]
