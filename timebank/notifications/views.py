from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..forms import ActionForm
from ..identity.views import safe_next
from ..web import page_arg
from . import services

bp = Blueprint("notifications", __name__)


@bp.get("/inbox")
@login_required
def inbox():
    page = page_arg()
    rows, total = services.inbox_page(current_user, page=page)
    items = [(row, services.render_text(row)) for row in rows]
    return render_template("notifications/inbox.html", items=items, total=total, page=page, per_page=30,
                           form=ActionForm())


@bp.post("/inbox/<int:notification_id>/open")
@login_required
def open_notification(notification_id):
    """Mark one notification read and follow its link."""
    if not ActionForm().validate_on_submit():
        abort(400)
    notification = services.notification_of(current_user, notification_id)
    if notification is None:
        abort(404)
    services.mark_read(current_user, notification_id)
    return redirect(safe_next(notification.link, url_for("notifications.inbox")))


@bp.post("/inbox/read-all")
@login_required
def read_all():
    if ActionForm().validate_on_submit():
        services.mark_read(current_user)
    return redirect(url_for("notifications.inbox"))
