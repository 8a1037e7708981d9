from flask import Blueprint

#: Pages inside a community: mounted by the core at /c/<community>/p/qr-checkin (404 when the plugin is off). Its
#: static folder serves the QR decoder the leader's camera page fetches when the camera is used (members only).
bp = Blueprint("qr_checkin", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

#: The address printed in the QR codes: /p/qr-checkin/scan/<token>; the token names the post and so the community.
scan_bp = Blueprint("qr_checkin_scan", __name__, url_prefix="/p/qr-checkin")
