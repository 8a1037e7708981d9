"""Plugin settings at two levels: the instance (district) and each community.

A plugin declares ``SettingSpec`` objects through ``timebank_settings``. A value is resolved, lowest priority
first, from: the spec's default → ``PLUGIN_SETTINGS[plugin][key]`` in configuration → the instance row → the
community row (community-scope settings only). A value stored at instance level for a community-scope setting
is therefore the default of every community that has not chosen its own. Admin forms are generated from the
specs.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, g, has_app_context
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import BooleanField, IntegerField, SelectField, StringField, validators

from . import community_config
from .errors import ValidationFailed
from .extensions import db
from .i18n import _

logger = logging.getLogger(__name__)


@dataclass
class SettingSpec:
    """One setting. ``type`` is "bool", "int", "minutes", "str" or "choice". ``check`` (optional) is called with the
    parsed value and raises ``ValidationFailed`` for a value of the right type that still makes no sense (a
    malformed table in a "str" setting, say): the settings page refuses it, and reading falls back past it."""

    key: str
    type: str
    default: object
    label: object
    help: object = ""
    scope: str = "community"  # or "instance"
    choices: list = field(default_factory=list)  # [(value, label)] for "choice"
    min: int | None = None
    max: int | None = None
    plugin: str = ""
    check: Callable[[object], object] | None = None

    def parse(self, raw):
        """Turn a stored or submitted value into the setting's type; raise ValidationFailed when invalid."""
        value = self._parse_type(raw)
        if self.check is not None:
            self.check(value)
        return value

    def _parse_type(self, raw):
        if self.type == "bool":
            if isinstance(raw, str):
                return raw.lower() in ("1", "true", "y", "yes", "on")
            return bool(raw)
        if self.type in ("int", "minutes"):
            try:
                value = int(raw)
            except (TypeError, ValueError):
                raise ValidationFailed(_("Enter a whole number."), field=self.key) from None
            if self.min is not None and value < self.min:
                raise ValidationFailed(_("Must be at least %(min)d.", min=self.min), field=self.key)
            if self.max is not None and value > self.max:
                raise ValidationFailed(_("Must be at most %(max)d.", max=self.max), field=self.key)
            return value
        if self.type == "choice":
            allowed = [value for value, _label in self.choices]
            if raw not in allowed:
                raise ValidationFailed(_("Choose one of the options."), field=self.key)
            return raw
        value = "" if raw is None else str(raw).strip()
        if self.max is not None and len(value) > self.max:
            raise ValidationFailed(_("At most %(max)d characters.", max=self.max), field=self.key)
        return value


class PluginSetting(db.Model):
    __tablename__ = "plugin_setting"
    __table_args__ = (UniqueConstraint("plugin_name", "scope_key", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin_name: Mapped[str] = mapped_column(String(80), nullable=False)
    # "instance" or "community:<id>": a NOT NULL key so the unique constraint holds on every database.
    scope_key: Mapped[str] = mapped_column(String(40), nullable=False)
    community_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("community.id", ondelete="CASCADE"), nullable=True, index=True
    )
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    value_json: Mapped[str] = mapped_column(Text, nullable=False)


community_config.new_version_with(PluginSetting)  # each worker reads the settings again after a change


def _scope_key(community):
    return "instance" if community is None else f"community:{community.id}"


def setting_specs(plugin=None, scope=None):
    specs = current_app.extensions["timebank"].settings.values()
    return [s for s in specs if (plugin is None or s.plugin == plugin) and (scope is None or s.scope == scope)]


def get_spec(plugin, key):
    try:
        return current_app.extensions["timebank"].settings[(plugin, key)]
    except KeyError:
        raise KeyError(f"unknown setting {plugin}.{key}") from None


def request_scope_keys(community_id=None, missing_only=False):
    """The settings a request reads: the instance's, the page's community's and ``community_id``'s; with
    ``missing_only``, those not yet kept for the request."""
    page = g.get("community") if has_app_context() else None
    keys = {"instance", _scope_key(page)}
    if community_id is not None:
        keys.add(f"community:{community_id}")
    if missing_only and has_app_context():
        kept = g.get("_timebank_settings", {})
        keys = {key for key in keys if ("stored", key) not in kept}
    return keys


def _stored(plugin, community):
    """The values stored for ``plugin`` at one level (the instance, or ``community``).

    A page asks for the settings of several plugins (policies, cards, tasks): every plugin's values of the
    instance and of the communities in question are read in one statement, with the page community's plugin
    switches (``timebank.community_config``), and kept for the request (or the command's app context);
    save_settings() clears them."""
    cache = g.setdefault("_timebank_settings", {}) if has_app_context() else {}
    scope = _scope_key(community)
    if ("stored", scope) not in cache:
        page = g.get("community") if has_app_context() else None
        with_switches = page is not None and page.id not in g.get(community_config.SWITCHES, {})
        keys = request_scope_keys(getattr(community, "id", None), missing_only=True) | {scope}
        _switches, stored = community_config.read(page.id if with_switches else None, keys)
        cache.update({("stored", key): values for key, values in stored.items()})
    return cache[("stored", scope)].get(plugin, {})


def get_setting(plugin, key, community=None):
    """The effective value of a setting for ``community`` (or the instance when ``community`` is None)."""
    return _resolve(get_spec(plugin, key), _Levels(plugin, community))


class _Levels:
    """The stored and configured values of one plugin, looked up once for all of its settings."""

    def __init__(self, plugin, community):
        self.community = community
        self.configured = (current_app.config.get("PLUGIN_SETTINGS") or {}).get(plugin, {})
        self.stored = _stored(plugin, community) if community is not None else {}  # reads the instance's too
        self.instance = _stored(plugin, None)


def _resolve(spec, levels):
    key = spec.key
    candidates = [("default", spec.default)]
    if key in levels.configured:
        candidates.append(("PLUGIN_SETTINGS", levels.configured[key]))
    if key in levels.instance:
        candidates.append(("instance", levels.instance[key]))
    if spec.scope == "community" and key in levels.stored:
        candidates.append((f"community {levels.community.slug}", levels.stored[key]))
    for level, value in reversed(candidates):
        try:
            return spec.parse(value)
        except ValidationFailed:
            # e.g. a stored value older than a narrower ``max``: fall back to the next level, do not break pages.
            logger.warning("setting %s.%s: invalid %s value ignored", spec.plugin, key, level)
    raise AssertionError("unreachable: defaults are checked at start-up")


def settings_for(plugin, community=None, scope="community"):
    # Asked for several times per page (policies, cards, tasks): parsed once per request; save_settings() clears.
    cache = g.setdefault("_timebank_settings", {}) if has_app_context() else {}
    cache_key = ("effective", plugin, _scope_key(community), scope)
    if cache_key not in cache:
        levels = _Levels(plugin, community)
        cache[cache_key] = {spec.key: _resolve(spec, levels) for spec in setting_specs(plugin, scope)}
    return dict(cache[cache_key])


def save_settings(plugin, values, community=None, actor=None):
    """Validate and store several settings at once; nothing is written if one is invalid. Commits.

    With a ``community``, only community-scope settings are accepted. Without one (instance level), every setting
    of the plugin is: an instance value of a community-scope setting is the default for all communities.
    """
    from .audit.services import record_audit

    scope = None if community is None else "community"
    specs = {spec.key: spec for spec in setting_specs(plugin, scope)}
    parsed = {}
    for key, raw in values.items():
        if key not in specs:
            raise ValidationFailed(_("Unknown setting."), field=key)
        parsed[key] = specs[key].parse(raw)
    for key, value in parsed.items():
        row = db.session.execute(
            select(PluginSetting).where(
                PluginSetting.plugin_name == plugin,
                PluginSetting.scope_key == _scope_key(community),
                PluginSetting.key == key,
            )
        ).scalar_one_or_none()
        if row is None:
            row = PluginSetting(plugin_name=plugin, scope_key=_scope_key(community),
                                community_id=getattr(community, "id", None), key=key)
            db.session.add(row)
        row.value_json = json.dumps(value, ensure_ascii=False)
    record_audit("settings.changed", actor=actor, community=community, target=("plugin", plugin),
                 detail={"keys": sorted(parsed)})
    db.session.commit()
    if has_app_context():
        g.pop("_timebank_settings", None)
    return parsed


def build_settings_form_fields(specs):
    """WTForms fields for ``specs``, keyed by setting key (used to build the admin forms)."""
    fields = {}
    for spec in specs:
        kwargs = {"label": spec.label, "description": spec.help}
        if spec.type == "bool":
            fields[spec.key] = BooleanField(**kwargs)
        elif spec.type in ("int", "minutes"):
            rules = [validators.InputRequired()]
            if spec.min is not None or spec.max is not None:
                rules.append(validators.NumberRange(min=spec.min, max=spec.max))
            fields[spec.key] = IntegerField(validators=rules, render_kw={"inputmode": "numeric"}, **kwargs)
        elif spec.type == "choice":
            from .forms import select_choices

            fields[spec.key] = SelectField(choices=select_choices(spec.choices), **kwargs)
        else:
            rules = [validators.Length(max=spec.max)] if spec.max else []
            fields[spec.key] = StringField(validators=rules, **kwargs)
    return fields
