"""Public verification of certificates (no login): by number, or by scanning the QR code on the paper."""

from flask import Blueprint, Response, render_template, request

from ..errors import NotFound
from .certificates import certificate_by_number, normalise_number, period_label, qr_svg, verification_url
from .forms import VerifyForm

bp = Blueprint("ledger_public", __name__, url_prefix="/verify")


@bp.get("/")
def verify():
    form = VerifyForm(request.args)
    certificate, searched = None, False
    if request.args.get("number"):
        searched = True
        if form.validate():
            try:
                certificate = certificate_by_number(form.number.data)
            except NotFound:
                certificate = None
    return render_template("ledger/verify.html", form=form, certificate=certificate, searched=searched,
                           period=period_label(certificate) if certificate else ""), 200 if (
        certificate or not searched) else 404


@bp.get("/<number>")
def verify_number(number):
    try:
        certificate = certificate_by_number(number)
    except NotFound:
        form = VerifyForm(data={"number": normalise_number(number)[:30]})
        return render_template("ledger/verify.html", form=form, certificate=None, searched=True), 404
    return render_template("ledger/verify.html", form=VerifyForm(data={"number": certificate.number}),
                           certificate=certificate, searched=True, period=period_label(certificate))


@bp.get("/<number>/qr.svg")
def qr(number):
    certificate = certificate_by_number(number)
    response = Response(qr_svg(verification_url(certificate)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
