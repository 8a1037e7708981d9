"""QR codes as SVG (made with ``qrcode``), the absolute scan address, and the printable posters."""

from flask import Response, current_app, request, url_for

from timebank.ledger.certificates import qr_svg


def scan_url(token):
    """The absolute address in a QR code: ``BASE_URL`` when configured (behind a proxy), else this host."""
    path = url_for("qr_checkin_scan.scan", token=token)
    base = current_app.config.get("BASE_URL") or request.url_root
    return base.rstrip("/") + path


def qr_data_uri(text):
    """The QR code of ``text`` inside the page (``<img src="data:...">``): one request fewer for a phone."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode()


def qr_response(text, cache=True):
    response = Response(qr_svg(text), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600" if cache else "no-store"
    return response
