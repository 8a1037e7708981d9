"""The board's pages, mounted by the core at ``/c/<community>/p/sample-board/``."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from timebank.communities.context import public
from timebank.errors import ValidationFailed
from timebank.forms import ActionForm, apply_domain_error

from . import services
from .forms import NoteForm

bp = Blueprint("sample_board", __name__, template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
def index(community=None):
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.post_note(g.community, current_user, form.text.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash("Pinned.", "success")
            return redirect(url_for("sample_board.index"))
    notes = services.notes_in(g.community)
    return render_template("sample_board/index.html", form=form, action_form=ActionForm(),
                           notes=[(note, services.badges_for(note, g.community)) for note in notes])


@bp.post("/<int:note_id>/remove")
def remove(note_id, community=None):
    if ActionForm().validate_on_submit():
        services.remove_note(g.community, current_user, note_id)
    return redirect(url_for("sample_board.index"))


@bp.get("/about")
@public
def about(community=None):
    return render_template("sample_board/about.html")
