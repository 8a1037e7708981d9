"""Admin pages about the community itself: details, features (plugins) and their settings, places, teams,
and the audit log."""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit.services import audit_page
from ..audit.vocabulary import describe_events
from ..communities import services, structure, teams
from ..errors import ValidationFailed
from ..forms import ActionForm, AppForm, apply_domain_error
from ..i18n import _
from ..permissions import require
from ..plugin_state import enabled_plugin_names, set_plugin_enabled
from ..settings import build_settings_form_fields, save_settings, setting_specs, settings_for
from ..web import page_arg
from .blueprint import bp
from .forms import BuildingForm, CommunityForm, GridForm, NewHouseholdForm, TeamForm, TeamMemberForm


@bp.route("/settings", methods=["GET", "POST"])
def community_settings(community=None):
    require(current_user, "community.manage", g.community)
    form = CommunityForm(obj=g.community)
    if form.validate_on_submit():
        try:
            services.update_community(g.community, current_user, **{
                key: getattr(form, key).data for key in
                ("name", "organising_unit", "contact_phone", "address", "timezone", "self_registration")})
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.community_settings"))
    return render_template("admin/community_settings.html", form=form)


@bp.get("/plugins")
def plugins(community=None):
    require(current_user, "plugins.manage", g.community)
    system = current_app.extensions["timebank"]
    enabled = enabled_plugin_names(g.community)
    return render_template("admin/plugins.html", plugins=system.optional_plugins, enabled=enabled,
                           form=ActionForm(), has_settings={s.plugin for s in setting_specs(scope="community")})


@bp.post("/plugins/<name>")
def switch_plugin(name, community=None):
    require(current_user, "plugins.manage", g.community)
    form = ActionForm()
    if form.validate_on_submit() and form.value.data in ("on", "off"):
        system = current_app.extensions["timebank"]
        info = system.plugins.get(name)
        if info is None or info.is_core:
            abort(404)
        set_plugin_enabled(g.community, name, form.value.data == "on", actor=current_user)
        message = _("%(title)s is on.", title=info.title) if form.value.data == "on" else _(
            "%(title)s is off. Its data is kept.", title=info.title)
        flash(message, "success")
    return redirect(url_for("admin.plugins"))


@bp.route("/plugins/<name>/settings", methods=["GET", "POST"])
def plugin_settings(name, community=None):
    require(current_user, "plugins.manage", g.community)
    info = current_app.extensions["timebank"].plugins.get(name)
    specs = setting_specs(name, "community")
    if info is None or not specs:
        abort(404)
    form_class = type("PluginSettingsForm", (AppForm,), build_settings_form_fields(specs))
    current = settings_for(name, g.community)
    form = form_class(data=current) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        try:
            save_settings(name, {spec.key: form[spec.key].data for spec in specs}, g.community, current_user)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.plugin_settings", name=name))
    return render_template("admin/plugin_settings.html", info=info, form=form, specs=specs)


@bp.route("/structure", methods=["GET", "POST"])
def structure_page(community=None):
    community = g.community
    grid_form, building_form, household_form = GridForm(prefix="grid"), BuildingForm(prefix="building"), \
        NewHouseholdForm(prefix="household")
    grids, buildings = structure.grids_in(community), structure.buildings_in(community, with_stairwells=True)
    grid_form.level.choices = list(structure.GRID_LEVELS.items())
    grid_form.parent_id.choices = [(0, _("— none —"))] + [(grid.id, grid.name) for grid in grids]
    building_form.grid_id.choices = [(0, _("— none —"))] + [(grid.id, grid.name) for grid in grids]
    household_form.building_id.choices = [(b.id, b.name) for b in buildings]
    household_form.stairwell_id.choices = [(0, _("— none —"))] + [
        (s.id, f"{b.name} {s.name}") for b in buildings for s in b.stairwells]
    if request.method == "POST":
        which = request.form.get("which")
        try:
            if which == "grid" and grid_form.validate_on_submit():
                structure.add_grid(community, current_user, grid_form.name.data, grid_form.level.data,
                                   grid_form.parent_id.data or None)
            elif which == "building" and building_form.validate_on_submit():
                structure.add_building(community, current_user, building_form.name.data,
                                       building_form.grid_id.data or None, building_form.stairwells.data or 0)
            elif which == "household" and household_form.validate_on_submit():
                structure.add_household(community, current_user, household_form.building_id.data,
                                        household_form.room.data, household_form.stairwell_id.data or None)
            else:
                raise ValidationFailed(_("Please correct the marked fields."))
        except ValidationFailed as error:
            form = {"grid": grid_form, "building": building_form}.get(which, household_form)
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.structure_page"))
    return render_template("admin/structure.html", grids=grids, buildings=buildings,
                           households=structure.households_in(community), grid_form=grid_form,
                           building_form=building_form, household_form=household_form)


@bp.route("/teams", methods=["GET", "POST"])
def teams_page(community=None):
    form = TeamForm()
    form.kind.choices = list(teams.TEAM_KINDS.items())
    if form.validate_on_submit():
        try:
            team = teams.create_team(g.community, current_user, form.name.data, form.kind.data, form.description.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.team", team_id=team.id))
    return render_template("admin/teams.html", teams=teams.teams_with_sizes(g.community), form=form,
                           kinds=teams.TEAM_KINDS)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def team(team_id, community=None):
    team = teams.team_in(g.community, team_id)
    form = TeamMemberForm()
    if form.validate_on_submit():
        try:
            user = services.find_member(g.community, form.member.data)
            teams.add_team_member(team, g.community, current_user, user.id, form.is_leader.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.team", team_id=team.id))
    search = request.args.get("q", "")[:60]
    members, total, page = teams.team_members_page(team, search, page_arg())
    return render_template("admin/team.html", team=team, members=members, total=total, page=page,
                           per_page=teams.TEAM_MEMBERS_PER_PAGE, search=search, form=form,
                           action_form=ActionForm(), kinds=teams.TEAM_KINDS)


@bp.post("/teams/<int:team_id>/remove/<int:user_id>")
def remove_team_member(team_id, user_id, community=None):
    team = teams.team_in(g.community, team_id)
    if ActionForm().validate_on_submit():
        teams.remove_team_member(team, g.community, current_user, user_id)
        flash(_("Removed from the team."), "success")
    return redirect(url_for("admin.team", team_id=team.id))


@bp.get("/audit")
def audit(community=None):
    require(current_user, "audit.view", g.community)
    page = page_arg()
    rows, total = audit_page(g.community, page=page)
    return render_template("admin/audit.html", entries=describe_events(rows), total=total, page=page, per_page=50)
