"""Certificates of volunteer service (志愿服务记录证明): issued free by the community that recorded the hours,
numbered, and verifiable by anyone through the number or the QR code printed on them."""

import io
import secrets

import qrcode
import qrcode.image.svg
from flask import current_app, request, url_for
from flask_babel import force_locale
from sqlalchemy import func, select

from ..audit.services import record_audit
from ..clock import now
from ..communities.services import active_membership
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import _, format_local_date, format_minutes
from .accounts import atomic
from .categories import ledger_category
from .models import CONFIRMED, Certificate, ServiceRecord
from .policy import ledger_policy, star_level
from .reports import _live, local_today

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: numbers are read aloud and typed by hand


def new_certificate_number(year):
    """ZY2026-K7QM-4XTA: unguessable, so that nobody can walk through other people's certificates."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"ZY{year}-{body[:4]}-{body[4:]}"


def normalise_number(text):
    text = (text or "").strip().upper().replace(" ", "").replace("－", "-")
    if len(text) == 14 and "-" not in text:  # typed without hyphens
        text = f"{text[:6]}-{text[6:10]}-{text[10:]}"
    return text


def _records_for(community, volunteer, period_start, period_end):
    query = select(ServiceRecord.category, func.sum(ServiceRecord.minutes), func.count(ServiceRecord.id)).where(
        ServiceRecord.community_id == community.id, ServiceRecord.volunteer_id == volunteer.id,
        ServiceRecord.status == CONFIRMED, ServiceRecord.minutes > 0, _live())
    if period_start:
        query = query.where(ServiceRecord.activity_date >= period_start)
    if period_end:
        query = query.where(ServiceRecord.activity_date <= period_end)
    return db.session.execute(query.group_by(ServiceRecord.category)).all()


def issue_certificate(community, volunteer, actor, period_start=None, period_end=None, number=None):
    """Issue a certificate of the confirmed hours of ``volunteer`` (optionally within a period). Commits.

    ``number`` is for the demo data only (a number the README can mention); certificates otherwise get an
    unguessable random number.
    """
    membership = active_membership(volunteer, community)
    if membership is None or membership.volunteer_number is None:
        raise ValidationFailed(_("Certificates are issued for registered volunteers of this community."))
    if period_start and period_end and period_end < period_start:
        raise ValidationFailed(_("The end of the period must be after its start."), field="period_end")
    today = local_today(community)  # the community's date: the period may end today, the number has its year
    if (period_start and period_start > today) or (period_end and period_end > today):
        raise ValidationFailed(_("The period cannot lie in the future."), field="period_end")
    rows = [(category, int(minutes or 0), int(count)) for category, minutes, count in
            _records_for(community, volunteer, period_start, period_end)]
    counted = [(category, minutes, count) for category, minutes, count in rows
               if ledger_category(category) is None or ledger_category(category).counts_hours]
    total = sum(minutes for _c, minutes, _n in counted)
    if total <= 0:
        raise ValidationFailed(_("There are no confirmed hours to certify in this period."))
    policy = ledger_policy(community)
    with force_locale("zh_CN"):  # the certificate is an official document in Chinese
        content = "；".join(
            f"{_category_label(category)} {format_minutes(minutes)}"
            for category, minutes, _count in sorted(counted, key=lambda row: -row[1]))
    stars, _next = star_level(total if not (period_start or period_end) else 0, policy)
    with atomic():
        certificate = Certificate(
            number=number or _unique_number(today.year), community_id=community.id, volunteer_id=volunteer.id,
            volunteer_name=volunteer.display_name, volunteer_number=membership.volunteer_number or "",
            period_start=period_start, period_end=period_end, total_minutes=total,
            record_count=sum(count for _c, _m, count in counted), service_content=content, star_level=stars,
            issuing_unit=community.organising_unit or community.name,
            person_in_charge=policy.certificate_person_in_charge,
            # Issued by staff: they are the handler; issued by the volunteer online: the configured handler.
            handler=policy.certificate_handler or (actor.display_name if actor and actor.id != volunteer.id else ""),
            contact=community.contact_phone, issued_at=now(), issued_by_id=getattr(actor, "id", None),
        )
        db.session.add(certificate)
        db.session.flush()
        record_audit("ledger.certificate_issued", actor=actor, community=community,
                     target=("certificate", certificate.number), detail={"minutes": total})
    return certificate


def _category_label(code):
    category = ledger_category(code)
    return str(category.label) if category else code


def _unique_number(year):
    for _attempt in range(5):
        number = new_certificate_number(year)
        if db.session.scalar(select(Certificate.id).where(Certificate.number == number)) is None:
            return number
    raise RuntimeError("could not find a free certificate number")


def certificate_by_number(number):
    """The certificate with this number (for the public verification page), or ``NotFound``."""
    number = normalise_number(number)
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number)) if number else None
    if certificate is None:
        raise NotFound(number)
    return certificate


def certificates_of(community, volunteer):
    return db.session.scalars(select(Certificate).where(
        Certificate.community_id == community.id, Certificate.volunteer_id == volunteer.id)
        .order_by(Certificate.issued_at.desc())).all()


def certificate_in(community, volunteer, number):
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.community_id == community.id, Certificate.volunteer_id == volunteer.id,
        Certificate.number == normalise_number(number)))
    if certificate is None:
        raise NotFound(number)
    return certificate


def verification_url(certificate):
    """The absolute address printed in the QR code: BASE_URL when configured, else this request's host."""
    path = url_for("ledger_public.verify_number", number=certificate.number)
    base = current_app.config.get("BASE_URL") or (request.url_root if request else "")
    return base.rstrip("/") + path


def qr_svg(text):
    """An SVG QR code (served by us; scanned by phone cameras)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def printed_texts(certificate):
    """The date of issue and the total hours as the printed certificate says them: in Chinese, whatever the reader's
    language (it is an official document), from the same date and formatters as the list and the verification
    page, so that paper and screen agree ("2026年11月24日", "147小时57分")."""
    with force_locale("zh_CN"):
        return {"issued_on": format_local_date(certificate.issued_on),
                "total": format_minutes(certificate.total_minutes)}


def period_label(certificate):
    if certificate.period_start or certificate.period_end:
        start = certificate.period_start.isoformat() if certificate.period_start else "…"
        end = certificate.period_end.isoformat() if certificate.period_end else "…"
        return f"{start} – {end}"
    return ""


__all__ = ["issue_certificate", "certificate_by_number", "qr_svg", "verification_url"]
