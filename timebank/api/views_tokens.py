"""The account page where a person makes and revokes their personal access tokens (an ordinary web page)."""

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..errors import ValidationFailed
from ..forms import ActionForm, apply_domain_error
from ..i18n import _
from . import tokens
from .forms import TokenForm

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_personal_token(current_user, form.name.data, form.chosen_scopes(),
                                                         form.expires_in_days.data)
        except ValidationFailed as error:
            if error.field == "scopes":
                error.field = "scope_read"
            apply_domain_error(form, error)
        else:
            # The secret is shown in this answer only: never in a redirect, a flash message or the session.
            response = make_response(render_template("api/token_created.html", token=token, secret=secret))
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("api/tokens.html", form=form, tokens=tokens.recent_tokens_of(current_user),
                           status=tokens.token_status, scope_labels=tokens.SCOPES)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    token = tokens.token_of(current_user, token_id)
    if ActionForm().validate_on_submit():
        tokens.revoke_token(token, current_user)
        flash(_("The token “%(name)s” was revoked. Apps using it can no longer reach your account.",
                name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
