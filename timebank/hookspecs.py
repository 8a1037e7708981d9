"""Every core hook of timebank, in one place.

Conventions (see ``docs/hooks.md`` for one section per hook, with examples):

* Every hook is named ``timebank_<noun>`` (collections) or ``timebank_<subject>_<past verb>`` (events) and is
  called with keyword arguments. An implementation may accept any subset of the parameters.
* **Setup hooks** are called once, while ``create_app`` builds the application, for every registered plugin.
* **Request hooks** (UI slots, permissions) and **event hooks** are called per community, only for plugins that
  are switched on in that community (``timebank.hooks.hooks_for(community)`` and friends).
* Collection hooks return a list (or ``None``); the core flattens the lists, sorts UI items by
  ``(order, plugin name)`` and renders them. Plugins return data, never HTML, except through
  :func:`timebank_template_slot` at a declared slot.
* Event hooks run after the database transaction has committed; each implementation runs on its own, so one
  failing plugin neither undoes the change nor stops the others (the error is logged with the plugin's name).
"""

import pluggy

hookspec = pluggy.HookspecMarker("timebank")

#: Names of the fragment slots that core templates offer to :func:`timebank_template_slot`. Asking for any
#: other name raises ``KeyError`` in debug and test mode (a misspelled slot must not fail silently).
TEMPLATE_SLOTS = (
    "home_top",  # top of the community home page, above the cards
    "profile_bottom",  # bottom of a member's profile page
    "admin_member_detail",  # coordinator's view of one member, under the member's details
    "base_head",  # inside <head>, for plugin <meta> tags; scripts must be served locally
)


# --- Setup hooks: called once per application, in create_app -------------------------------------------------


@hookspec(historic=True)
def timebank_addhooks(pluginmanager):
    """Let a plugin add its own hookspecs (prefixed with the plugin's name) to the plugin manager.

    :param pluginmanager: the application's ``pluggy.PluginManager``; call ``pluginmanager.add_hookspecs(module)``.
    :return: nothing.

    Called right after all plugins are registered, before ``check_pending()``. Historic: a plugin registered
    later still receives the call.
    """


@hookspec
def timebank_models():
    """Declare the SQLAlchemy model classes that the plugin owns.

    :return: a list of model classes. Their table names must start with ``<plugin name>_``; foreign keys may
        point only at core tables or the plugin's own tables.

    Called once at start-up. The core checks the table prefix and makes sure the models are imported before the
    schema is compared or migrated.
    """


@hookspec
def timebank_migration_dirs():
    """Declare the plugin's Alembic ``versions`` folder(s): the plugin's own migration branch.

    :return: a list of absolute paths. Revisions in them carry ``branch_labels = ("<plugin name>",)`` and
        ``depends_on`` the core revision they need.

    Called once at start-up; the paths become Alembic ``version_locations``. ``timebank db upgrade`` upgrades
    every branch to its head.
    """


@hookspec
def timebank_blueprints():
    """Provide the plugin's Flask blueprints; the core registers them.

    :return: a list of ``flask.Blueprint``. A blueprint without a ``url_prefix`` is mounted at
        ``/c/<community>/p/<plugin-slug>``: the core loads the community, requires an active membership (unless
        the view is marked with ``timebank.communities.context.public``) and answers 404 when the plugin is off
        for that community. A blueprint with its own ``url_prefix`` must start it with ``/p/<plugin-slug>`` and
        checks the community itself.

    Called once at start-up.
    """


@hookspec
def timebank_api_blueprints():
    """Provide the plugin's endpoints of the JSON API (``/api/v1/``); the core mounts and documents them.

    :return: a list of ``timebank.api.ApiBlueprint`` (flask-smorest blueprints), named ``<plugin name>_api``,
        without a ``url_prefix``. The core mounts each at ``/api/v1/communities/<community>/p/<plugin-slug>``,
        adds its operations to the OpenAPI document, exempts it from CSRF (bearer tokens only), rate-limits it and,
        before each view, checks the token and its scope, loads ``g.community``, requires an active membership
        (or a district admin) and answers 404 when the plugin is off in that community.

    Called once at start-up.
    """


@hookspec
def timebank_cli_commands():
    """Provide click commands or groups; the core adds them to the ``timebank`` command line.

    :return: a list of ``click.Command`` (usually one group named after the plugin, e.g. ``qr-checkin``).

    Called once at start-up. Commands run inside an application context; commands that touch a community take
    ``--community SLUG`` and refuse a community where the plugin is off.
    """


@hookspec
def timebank_settings():
    """Declare the plugin's settings; the core stores them and generates the admin forms.

    :return: a list of ``timebank.settings.SettingSpec``. ``scope="community"`` settings are edited by each
        community's admin; ``scope="instance"`` settings by a district admin (and ``PLUGIN_SETTINGS`` in
        ``instance/config.py``).

    Called once at start-up. Read values with ``timebank.settings.get_setting(plugin, key, community)``.
    """


@hookspec
def timebank_permissions():
    """Declare permissions that the plugin checks.

    :return: a list of ``timebank.permissions.Permission`` (name ``"<plugin>.<action>"``, description, the
        lowest role that has it by default).

    Called once at start-up. Check with ``timebank.permissions.can(user, name, community)`` or ``require(...)``.
    """


@hookspec
def timebank_ledger_categories():
    """Declare the kinds of volunteer service that the plugin records in the hour ledger.

    :return: a list of ``timebank.ledger.categories.LedgerCategory``; codes are ``"<plugin>.<kind>"``.

    Called once at start-up. The ledger refuses records with an unknown category.
    """


@hookspec
def timebank_notification_channels():
    """Provide ways to deliver notifications besides the in-app inbox (SMS, WeChat template messages, e-mail).

    :return: a list of ``timebank.notifications.channels.NotificationChannel``.

    Called once at start-up. A channel is used when its name is listed in the ``NOTIFICATION_CHANNELS`` setting.
    Delivery happens after the notification is committed, each channel on its own.
    """


@hookspec
def timebank_audit_actions():
    """Say in words what the plugin's audit-log actions are: the audit pages show these instead of the codes.

    :return: a list of ``timebank.audit.vocabulary.AuditAction(code, label, target, details)``: one per action code
        the plugin passes to ``record_audit`` (``"<plugin>.<what happened>"``); ``label`` is a lazy verb phrase that
        follows the person's name ("saved the menu"), ``target`` names the kind of object the event points at
        ("Menu", shown as "Menu #28"), ``details`` is a tuple of ``AuditDetail(key, label, kind, choices)`` saying
        how each detail value reads (a duration, a flag, a person's name...).

    Called once at start-up, for every installed plugin (a plugin switched off in a community still describes its
    past entries there). A code declared twice stops the start-up. An action nobody declares is shown by its code.
    """


@hookspec
def timebank_page_assets():
    """Name the plugin's own stylesheets and scripts; the core serves them joined to its ``app.css`` and ``app.js``.

    :return: a list of ``timebank.ui.PageAsset(path, kind="css")``: a file of the plugin (absolute, or relative to
        the folder of its ``plugin.py``), ``kind`` ``"css"`` or ``"js"``. Scripts are classic scripts that work on
        every page (they look for their elements and do nothing when they are absent).

    Called once at start-up. Every page then links one stylesheet and one script: the core's and those of the
    plugins on in the community, in load order, at an address carrying a digest of their content (cached for a
    year by browsers, fetched again when a file or the community's plugins change).
    """


@hookspec
def timebank_startup(app):
    """Last step of ``create_app``: a chance to add Jinja filters or read configuration.

    :param app: the Flask application.
    :return: nothing.

    Called once at start-up. Do not write to the database here: during ``timebank db upgrade`` the tables may not
    exist yet.
    """


@hookspec
def timebank_demo_data(community, users):
    """Add the plugin's demo data to the demo community (``timebank demo``, demo mode only).

    :param community: the demo ``Community`` (its core data, a year of hours and the demo accounts exist).
    :param users: the demo accounts by username: ``admin``, ``coordinator``, ``volunteer``, ``resident``,
        ``elder``.
    :return: nothing. Write through the plugin's own services, in Chinese as a real community would, with data
        spread over past and coming days; the core commits at the end.

    Called once, when the demo is loaded into an empty database, for every plugin on in the demo community.
    """


# --- UI hooks: per request, only for plugins switched on in the community -------------------------------------


@hookspec
def timebank_nav_items(user, community):
    """Add entries to the navigation (the "more" menu on phones, the side bar on wide screens).

    :param user: the logged-in ``User`` (or an anonymous user).
    :param community: the current ``Community``.
    :return: a list of ``timebank.ui.NavItem``; labels are lazy translatable strings.

    Called when a community page is rendered.
    """


@hookspec
def timebank_dashboard_cards(user, community):
    """Add cards to the community home page.

    :param user: the logged-in ``User``.
    :param community: the current ``Community``.
    :return: a list of ``timebank.ui.Card``; each names a template the core includes inside its card frame.

    Called when the home page is rendered. Gather the card's data in a service function, not in the template.
    """


@hookspec
def timebank_profile_panels(profile_user, viewer, community):
    """Add panels to a member's profile page.

    :param profile_user: the ``User`` whose profile is shown.
    :param viewer: the ``User`` looking at it (the same person, or a coordinator).
    :param community: the current ``Community``.
    :return: a list of ``timebank.ui.Panel``.

    Called when a profile page is rendered.
    """


@hookspec
def timebank_tasks(user, community):
    """List things waiting for this user in the "Tasks" tab (approvals, today's shifts, deliveries...).

    :param user: the logged-in ``User``.
    :param community: the current ``Community``.
    :return: a list of ``timebank.ui.TaskItem``.

    Called when the Tasks page is rendered, and to compute the badge on the Tasks tab.
    """


@hookspec
def timebank_template_slot(slot, context):
    """Return a small HTML fragment for a declared slot in a core template (the one HTML escape hatch).

    :param slot: one of ``timebank.hookspecs.TEMPLATE_SLOTS``.
    :param context: a dict with what the template offers at that slot (always ``user`` and ``community``).
    :return: ``markupsafe.Markup`` (inserted as is), ``str`` (escaped), a ``timebank.ui.Snippet``, or ``None``.

    Called when the template reaches the slot.
    """


@hookspec
def timebank_asset_urls(community):
    """Add stylesheets or scripts to every page of the community; they must be served by this installation.

    :param community: the current ``Community`` (``None`` outside a community).
    :return: a list of ``timebank.ui.Asset``.

    Called when a page is rendered.
    """


# --- Identity and permissions ----------------------------------------------------------------------------------


@hookspec(firstresult=True)
def timebank_authenticate(username, password):
    """Check a username and password at login.

    :param username: what the person typed, stripped and lower-cased.
    :param password: the password as typed.
    :return: the ``User`` when the credentials are valid, ``False`` to refuse them outright, ``None`` to let the
        next implementation decide. Stops at the first non-None result; the built-in password check runs last.

    Called on every login attempt (after rate limiting).
    """


@hookspec
def timebank_permission_allowed(user, permission, community, resource):
    """Take part in a permission decision.

    :param user: the ``User`` asking.
    :param permission: the permission name, e.g. ``"members.approve"``.
    :param community: the ``Community`` the action is in (``None`` for district-wide actions).
    :param resource: the object acted on, or ``None``.
    :return: ``False`` to deny (any ``False`` wins), ``True`` to allow, ``None`` to abstain; when all abstain the
        permission's default role decides.

    Called by ``timebank.permissions.can``. For lists, filter in SQL instead of asking per row.
    """


@hookspec
def timebank_member_joined(user, community, membership):
    """A person became an active member of a community (registration approved or account created).

    :param user: the ``User``.
    :param community: the ``Community``.
    :param membership: the ``Membership`` (role, volunteer number).
    :return: nothing.

    Event: called after commit, each implementation isolated.
    """


@hookspec
def timebank_personal_data(user):
    """Add the plugin's data about a person to their personal-data download (个人信息保护法 access right).

    :param user: the ``User`` asking for their data.
    :return: a JSON-serialisable dict (or ``None``); it appears under the plugin's name in the download.

    Called when a member downloads their data (``/account/data.json``), for every loaded plugin.
    """


@hookspec
def timebank_member_erased(user, community):
    """A person's identifying data was erased at their request; erase or anonymise the plugin's data about them.

    :param user: the ``User``, already anonymised (name, username, phone, password replaced; memberships ended).
    :param community: one ``Community`` the person belonged to (called once per community).
    :return: nothing. Keep what the law requires (volunteer service records); remove the rest (e.g. health
        notes, photos, free-text addresses).

    Event: called after commit, each implementation isolated, only for plugins on in that community.
    """


# --- Ledger events (fired by timebank.ledger) ------------------------------------------------------------------


@hookspec
def timebank_validate_credit(draft, community):
    """Check a service record before it is written (claims, back-entries, check-outs, deliveries...).

    :param draft: a ``timebank.ledger.records.RecordDraft`` (volunteer id, category, activity name, start, end,
        minutes, source, whether it is a back-entry).
    :param community: the ``Community`` it is recorded in.
    :return: a list of reasons to refuse it, best as lazy messages (``_l(...)``: a refusal kept on a row is then
        shown in its reader's language, see ``timebank.stored_text``); an empty list or ``None`` accepts it.

    Called inside the transaction, before the record is added; any reason refuses the record with
    ``LedgerRejected`` and nothing is written. Only plugins on in that community are asked.
    """


@hookspec
def timebank_hours_confirmed(entry, community):
    """Service hours were confirmed and counted for a volunteer.

    :param entry: the confirmed ledger entry (volunteer, minutes, category, source).
    :param community: the ``Community`` that recorded it.
    :return: nothing.

    Event: called after commit, each implementation isolated, only for plugins on in that community. A bulk
    confirmation calls it once per entry; a listener that does per-person work (totals, levels) should implement
    ``timebank_hours_confirmed_batch`` instead.
    """


@hookspec
def timebank_hours_confirmed_batch(entries, community):
    """Service hours were confirmed: every entry one transaction confirmed, in one call.

    :param entries: the confirmed ledger entries (a list of ``ServiceRecord``; one for a single confirmation, up
        to a thousand for a bulk confirmation; several may belong to the same volunteer).
    :param community: the ``Community`` that recorded them.
    :return: nothing.

    Event: called once per confirming transaction, after commit (after the ``timebank_hours_confirmed`` calls of
    the same entries), each implementation isolated, only for plugins on in that community. Implement this or
    ``timebank_hours_confirmed``, not both: each is called for every confirmed entry.
    """


@hookspec
def timebank_hours_reversed(entry, reversal, community):
    """A confirmed entry was corrected by a reversing or amending entry.

    :param entry: the original entry.
    :param reversal: the new entry that corrects it (with reason and actor).
    :param community: the ``Community``.
    :return: nothing.

    Event: called after commit, each implementation isolated, only for plugins on in that community.
    """
