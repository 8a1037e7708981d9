"""Data that hooks return and the core renders (navigation, cards, panels, tasks, fragments, assets).

Labels and titles are translatable strings: use ``timebank.i18n.lazy_gettext`` (``_l``) in plugins. The core sorts
every list by ``(order, plugin)`` so that the page does not depend on plugin registration order.
"""

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup


@dataclass
class NavItem:
    """A link in the navigation. ``endpoint`` is resolved with ``url_for(endpoint, **url_kwargs)``."""

    label: Any
    endpoint: str
    icon: str = "grid"  # a symbol id in static/icons.svg
    order: int = 50
    url_kwargs: dict = field(default_factory=dict)
    badge: int | None = None
    plugin: str = ""  # filled in by the core


@dataclass
class Card:
    """A card on the community home page. ``template`` is rendered inside the core card frame with ``context``."""

    title: Any
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50
    size: str = "full"  # "full" or "half" (half-width on wide screens)
    elder: bool = False  # also shown on the simplified elder-mode home screen
    plugin: str = ""


@dataclass
class Panel:
    """A panel on a member's profile page."""

    title: Any
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50
    plugin: str = ""


@dataclass
class TaskItem:
    """Something waiting for the user: shown on the Tasks tab; ``count`` feeds the tab's badge."""

    label: Any
    endpoint: str
    url_kwargs: dict = field(default_factory=dict)
    count: int = 1
    detail: Any = ""
    urgent: bool = False
    order: int = 50
    plugin: str = ""


@dataclass
class Snippet:
    """An HTML fragment for a template slot. ``markup=False`` escapes ``content``."""

    content: str
    markup: bool = True
    order: int = 50
    plugin: str = ""

    def render(self) -> Markup:
        # A plugin opts in to markup explicitly (Snippet(markup=True) or Markup); plain strings are escaped.
        return Markup(self.content) if self.markup else Markup.escape(self.content)  # nosec B704


@dataclass
class Asset:
    """A stylesheet or script served by this installation (never a CDN)."""

    url: str
    kind: str = "css"  # "css" or "js"
    module: bool = False
    order: int = 50  # like every list the core renders, assets are sorted by (order, plugin)
    plugin: str = ""


@dataclass
class PageAsset:
    """A plugin's stylesheet or script that the core joins into the one stylesheet and script of every page."""

    path: object  # str or pathlib.Path: absolute, or relative to the folder of the plugin's plugin.py
    kind: str = "css"  # "css" or "js"
    plugin: str = ""


@dataclass(frozen=True)
class Shown:
    """What a list line shows of a related object (a person, a household, a post), when the line is read as plain
    columns instead of objects: under the object's own attribute names (``volunteer.display_name``,
    ``household.label``, ``post.name``), so that the same line template shows either."""

    display_name: str = ""
    label: str = ""
    name: str = ""
    place: str = ""
    title: str = ""
