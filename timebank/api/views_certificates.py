"""Certificates of volunteer service (志愿服务记录证明): mine, issuing one, and public verification by number."""

from flask import g, url_for

from ..ledger import certificates
from .auth import api_user, public, scope
from .blueprint import ApiBlueprint
from .idempotency import idempotent
from .schemas_ledger import (
    CertificateListSchema,
    CertificateRequestSchema,
    CertificateSchema,
    VerifiedCertificateSchema,
)
from .tokens import CHECK_IN

bp = ApiBlueprint("api_certificates", __name__, url_prefix="/api/v1/communities/<community>",
                  description="My certificates of volunteer service in a community.")
public_bp = ApiBlueprint("api_verify", __name__, url_prefix="/api/v1/certificates",
                         description="Anybody may check that a certificate is genuine, by its number.")


def certificate_data(certificate):
    return {column: getattr(certificate, column) for column in (
        "number", "volunteer_name", "volunteer_number", "period_start", "period_end", "total_minutes",
        "record_count", "service_content", "star_level", "issuing_unit", "person_in_charge", "handler", "contact",
        "issued_at", "issued_on")} | {"verify_url": certificates.verification_url(certificate)}


@bp.route("/certificates", methods=["GET"])
@bp.etag
@bp.response(200, CertificateListSchema)
def list_certificates():
    """My certificates, newest first"""
    return {"items": [certificate_data(found) for found in certificates.certificates_of(g.community, api_user())]}


@bp.route("/certificates", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(CertificateRequestSchema)
@bp.response(201, CertificateSchema)
def issue_certificate(body):
    """Issue a certificate of my confirmed hours (optionally of a period)"""
    user = api_user()
    certificate = certificates.issue_certificate(g.community, user, user, body.get("period_start"),
                                                 body.get("period_end"))
    return certificate_data(certificate), 201, {
        "Location": url_for("api_verify.verify_certificate", number=certificate.number)}


@public_bp.route("/<number>", methods=["GET"])
@public
@public_bp.etag
@public_bp.response(200, VerifiedCertificateSchema)
def verify_certificate(number):
    """Verify a certificate by its number (no token needed)

    Answers 404 when no certificate has this number: then the certificate is not genuine.
    """
    found = certificates.certificate_by_number(number[:40])
    return {"number": found.number, "genuine": True,
            "volunteer_name": None if found.volunteer_erased else found.volunteer_name,
            "volunteer_number": found.volunteer_number, "total_minutes": found.total_minutes,
            "period_start": found.period_start, "period_end": found.period_end,
            "service_content": found.service_content, "issuing_unit": found.issuing_unit,
            "issued_at": found.issued_at, "issued_on": found.issued_on}
