from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..admin.forms import NewCommunityForm
from ..audit.services import audit_page
from ..audit.vocabulary import describe_events
from ..communities import services as community_services
from ..errors import PermissionDenied, ValidationFailed
from ..forms import AppForm, apply_domain_error
from ..i18n import _
from ..settings import build_settings_form_fields, save_settings, setting_specs, settings_for
from ..web import page_arg
from . import services

bp = Blueprint("district", __name__, url_prefix="/district")


@bp.before_request
@login_required
def district_admins_only():
    if not current_user.is_district_admin:
        raise PermissionDenied("district.manage")


@bp.get("/")
def index():
    return render_template("district/index.html", rows=services.community_overview())


@bp.route("/communities/new", methods=["GET", "POST"])
def new_community():
    form = NewCommunityForm(timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"], self_registration=True)
    if form.validate_on_submit():
        try:
            community = community_services.create_community(
                form.slug.data, form.name.data, actor=current_user, timezone=form.timezone.data,
                organising_unit=form.organising_unit.data, contact_phone=form.contact_phone.data,
                address=form.address.data, self_registration=form.self_registration.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("The community %(name)s was created.", name=community.name), "success")
            return redirect(url_for("admin.overview", community=community.slug))
    return render_template("district/new_community.html", form=form)


@bp.get("/plugins")
def plugins():
    system = current_app.extensions["timebank"]
    return render_template("district/plugins.html", plugins=list(system.plugins.values()),
                           communities=community_services.all_communities(), switches=services.plugin_switches(),
                           has_settings={spec.plugin for spec in setting_specs(scope="instance")})


@bp.route("/plugins/<name>/settings", methods=["GET", "POST"])
def plugin_settings(name):
    info = current_app.extensions["timebank"].plugins.get(name)
    specs = setting_specs(name, "instance")
    if info is None or not specs:
        abort(404)
    form_class = type("InstanceSettingsForm", (AppForm,), build_settings_form_fields(specs))
    form = form_class(data=settings_for(name, None, scope="instance")) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        try:
            save_settings(name, {spec.key: form[spec.key].data for spec in specs}, None, current_user)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("district.plugin_settings", name=name))
    return render_template("admin/plugin_settings.html", info=info, form=form, specs=specs, district=True)


@bp.get("/audit")
def audit():
    page = page_arg()
    rows, total = audit_page(None, page=page)
    return render_template("admin/audit.html", entries=describe_events(rows, with_community=True), total=total,
                           page=page, per_page=50, district=True)
