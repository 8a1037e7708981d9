"""The community's monthly statement (meals by subsidy tier, the subsidy to claim) and the subsidy policy page."""

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from timebank.errors import ValidationFailed
from timebank.forms import AppForm, apply_domain_error
from timebank.i18n import _
from timebank.permissions import require
from timebank.settings import build_settings_form_fields, save_settings, setting_specs, settings_for

from . import services, statements
from .blueprints import bp
from .policy import PLUGIN, WELFARE_STATUSES, check_policy_values, format_yuan, meal_policy, tier_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/statements")
def community_statement(community=None):
    services.require_kitchen(current_user, g.community)
    year, month = statements.parse_month(request.args.get("month"), g.community)
    lines, per_elder, totals = statements.community_statement(g.community, year, month)
    previous, following = statements.neighbour_months(year, month)
    return render_template("elder_meals/statement_community.html", lines=lines, per_elder=per_elder, totals=totals,
                           year=year, month=month, previous=previous, following=following)


@bp.get("/statements.xlsx")
def community_statement_xlsx(community=None):
    services.require_kitchen(current_user, g.community)
    year, month = statements.parse_month(request.args.get("month"), g.community)
    handle = statements.community_statement_xlsx(g.community, year, month)
    statements.record_export(g.community, current_user, "community", year, month)
    return send_file(handle, as_attachment=True, download_name=f"elder-meals-{g.community.slug}-{year}-{month:02d}.xlsx",
                     mimetype=XLSX)


@bp.route("/policy", methods=["GET", "POST"])
def policy(community=None):
    """The subsidy and ordering policy of the community, checked more strictly than the generic settings page."""
    require(current_user, services.MANAGE, g.community)
    specs = setting_specs(PLUGIN, "community")
    form_class = type("MealPolicyForm", (AppForm,), build_settings_form_fields(specs))
    form = form_class(data=settings_for(PLUGIN, g.community)) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        values = {spec.key: form[spec.key].data for spec in specs}
        try:
            check_policy_values(values)
            save_settings(PLUGIN, values, g.community, current_user)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("elder_meals.policy"))
    current = meal_policy(g.community)
    ages = [(tier_label(current, f"age:{age}"), format_yuan(fen)) for age, fen in current.age_subsidies]
    statuses = [(WELFARE_STATUSES[status], format_yuan(fen)) for status, fen in current.status_subsidies.items()]
    return render_template("elder_meals/policy.html", form=form, current=current, ages=ages, statuses=statuses)
