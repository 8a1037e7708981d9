from flask import Blueprint, current_app, g, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from .. import __version__
from ..communities.services import PENDING, all_communities, community_by_slug, memberships_for
from ..database import database_reachable
from ..errors import NotFound
from ..hooks import collect_items
from ..i18n import _
from ..identity.proxy import current_subject
from ..layout import elder_mode_on

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Logged in: the community last used (or the only one); otherwise a welcome page."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html", communities=[c for c in all_communities() if c.self_registration])
    memberships = memberships_for(current_user)
    slugs = [m.community.slug for m in memberships]
    last = session.get("community")
    if last in slugs or (last and current_user.is_district_admin and _exists(last)):
        return redirect(url_for("home.dashboard", community=last))
    if len(memberships) >= 1:
        return redirect(url_for("home.dashboard", community=slugs[0]))
    if current_user.is_district_admin:
        return redirect(url_for("district.index"))
    waiting = memberships_for(current_user, status=PENDING)
    if waiting:  # the community's page says that the registration waits for approval
        return redirect(url_for("home.dashboard", community=waiting[0].community.slug))
    return render_template("home/no_community.html",
                           communities=[c for c in all_communities() if c.self_registration])


def _exists(slug):
    try:
        community_by_slug(slug)
        return True
    except NotFound:
        return False


@bp.get("/c/<community>/")
def dashboard(community=None):
    subject = current_subject()  # acting for an elder: the elder's home page
    cards = collect_items("timebank_dashboard_cards", g.community, user=subject)
    if elder_mode_on():
        cards = [card for card in cards if card.elder]
    return render_template("home/dashboard.html", cards=cards)


@bp.get("/c/<community>/tasks")
def tasks(community=None):
    items = collect_items("timebank_tasks", g.community, user=current_subject())
    return render_template("home/tasks.html", items=items)


@bp.get("/healthz")
def healthz():
    reachable = database_reachable()
    body = {"status": "ok" if reachable else "error", "database": "ok" if reachable else "unreachable",
            "version": __version__}
    return jsonify(body), 200 if reachable else 503


@bp.get("/manifest.webmanifest")
def manifest():
    data = {
        "name": _("Neighborhood Time Bank"),
        "short_name": _("Time Bank"),
        "start_url": url_for("home.index"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c8102e",
        "lang": "zh-CN",
        "icons": [
            {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": url_for("static", filename="icons/icon-maskable-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = current_app.response_class(current_app.json.dumps(data), mimetype="application/manifest+json")
    return response
