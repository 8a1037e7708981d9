"""Public pages (no login): the notice board, one notice, and the honour wall. Names appear as the candidates
consented (masked otherwise); disqualifier reasons, scores and objections are never shown here. Lodging an
objection needs a login (any account, not only members of the community)."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.clock import now
from timebank.communities.context import public
from timebank.errors import ValidationFailed
from timebank.forms import apply_domain_error
from timebank.i18n import _
from timebank.web import year_arg

from . import awards, notices
from .blueprints import bp
from .forms import ObjectionForm
from .services import local_today


@bp.get("/notices/")
@public
def notice_board(community=None):
    open_notices, closed = notices.public_notices(g.community)
    return render_template("honor_awards/notice_board.html", open_notices=open_notices, closed=closed,
                           last_day=lambda notice: awards.notice_last_day(notice, g.community))


def _objection_form(notice):
    form = ObjectionForm()
    form.item_id.choices = [(0, _("The notice as a whole"))] + [
        (item.id, item.label) for item in notice.items if not item.withdrawn]
    return form


@bp.get("/notices/<int:notice_id>")
@public
def notice(notice_id, community=None):
    notice = notices.notice_in(g.community, notice_id)
    return render_template("honor_awards/notice.html", notice=notice, form=_objection_form(notice),
                           running=notices.is_running(notice), now=now(),
                           open_objections=notices.open_objection_count(notice),
                           last_day=awards.notice_last_day(notice, g.community))


@bp.route("/notices/<int:notice_id>/object", methods=["GET", "POST"])
@public  # anyone logged in may object, also people who are not members of this community
def object_to(notice_id, community=None):
    if not current_user.is_authenticated:
        return redirect(url_for("identity.login", next=request.full_path.rstrip("?")))
    notice = notices.notice_in(g.community, notice_id)
    form = _objection_form(notice)
    if form.validate_on_submit():
        try:
            notices.lodge_objection(notice, g.community, current_user, form.reason.data, form.item_id.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Your objection was recorded. The coordinators will look into it and tell you what they "
                    "decided."), "success")
            return redirect(url_for("honor_awards.notice", notice_id=notice.id))
    return render_template("honor_awards/object.html", notice=notice, form=form,
                           running=notices.is_running(notice))


@bp.get("/honours/")
@public
def honour_wall(community=None):
    years = awards.honour_years(g.community)
    year = year_arg() or (years[0] if years else local_today(g.community).year)
    return render_template("honor_awards/honour_wall.html", year=year, years=years,
                           groups=awards.honour_wall(g.community, year))
