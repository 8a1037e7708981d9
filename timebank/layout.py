"""Data for the shared page layout: tab bar, navigation, badges, elder mode, proxy banner.

Templates call these through ``layout.<name>()``; they gather data from services and hooks (templates never
query the database themselves).
"""

import hashlib
import time
from dataclasses import dataclass

from flask import current_app, g, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from .hooks import collect_items
from .i18n import _l
from .kept import app_store, remembered


@dataclass
class Tab:
    key: str
    label: object
    icon: str
    url: str
    active: bool
    badge: int = 0


def elder_mode_on():
    """Elder mode (关怀模式): the person's saved choice, or this browser's when logged out."""
    user = current_user._get_current_object()
    if user.is_authenticated:
        return bool(user.elder_mode)
    return bool(session.get("elder_mode"))


def community_slug():
    community = g.get("community")
    if community is not None:
        return community.slug
    return session.get("community") if current_user.is_authenticated else None


def _active_tab():
    endpoint = request.endpoint or ""
    if endpoint in ("home.dashboard", "home.index"):
        return "home"
    if endpoint.startswith("ledger.") and "my" in endpoint:
        return "hours"
    if endpoint == "home.tasks":
        return "tasks"
    if endpoint.startswith("identity.") or endpoint in ("communities.me", "notifications.inbox"):
        return "me"
    return ""


def tab_bar():
    """The four tabs at the bottom of every page of a logged-in person: home, my hours, tasks, me."""
    if not current_user.is_authenticated:
        return []
    slug = community_slug()
    return _tabs(slug, _active_tab(), task_count() if slug else 0, unread_notifications())


def _tabs(slug, active, tasks, unread):
    tabs = [Tab("home", _l("Home"), "home", url_for("home.dashboard", community=slug) if slug else
                url_for("home.index"), active == "home")]
    if slug and "ledger.my_hours" in current_app.view_functions:
        tabs.append(Tab("hours", _l("My hours"), "clock", url_for("ledger.my_hours", community=slug),
                        active == "hours"))
    if slug:
        tabs.append(Tab("tasks", _l("Tasks"), "check", url_for("home.tasks", community=slug), active == "tasks",
                        badge=tasks))
    tabs.append(Tab("me", _l("Me"), "user", url_for("communities.me", community=slug) if slug else
                    url_for("identity.account"), active == "me", badge=unread))
    return tabs


def tab_bar_html():
    """The tab bar's HTML. Everything it shows follows from a few values (the language, the community, the active
    tab, the two numbers), so each worker renders a combination once and reuses it (``_fragment``)."""
    if not current_user.is_authenticated:
        return Markup("")
    slug = community_slug()
    active, tasks, unread = _active_tab(), task_count() if slug else 0, unread_notifications()
    return _fragment(("tab_bar", slug, active, tasks, unread),
                     lambda: _rendered("_tab_bar.html", tabs=_tabs(slug, active, tasks, unread)))


def side_nav():
    """The plugins' navigation beside the page, rendered when ``nav_items`` is gathered and kept with it."""
    community = g.get("community")
    if community is None or not current_user.is_authenticated:
        return Markup("")

    def render():
        items = nav_items()
        return _rendered("_side_nav.html", nav=items) if items else Markup("")

    return _kept(("nav_html", request.script_root), render, only_if_known=is_quick_page()) or Markup("")


#: Fragments a worker keeps (``_fragment``); past this it forgets them all at once rather than growing.
MAX_FRAGMENTS = 5_000


def _rendered(template, **context):
    """A template of the layout rendered as markup, to be placed in the page as it is (Jinja escaped what it shows:
    the output of our own template with autoescape on, as in any page)."""
    return Markup(render_template(template, **context))  # nosec B704


def _fragment(key, render):
    """The markup ``render()`` returns for ``key``, rendered once per worker. ``key`` must name everything the HTML
    depends on besides the language and the address the app is served under, which are added here."""
    if current_app.debug:  # templates change under a developer's hands
        return render()
    from .i18n import current_locale_name

    return remembered(app_store("timebank_fragments"), (current_locale_name(), request.script_root, *key), render,
                      MAX_FRAGMENTS)


def nav_items():
    """Navigation contributed by the plugins on in the current community, kept like the Tasks badge (its badges
    are counts of the same kind); see ``task_count``."""
    community = g.get("community")
    if community is None or not current_user.is_authenticated:
        return []
    return _kept("nav", lambda: collect_items("timebank_nav_items", community, user=_subject()),
                 only_if_known=is_quick_page()) or []


def task_items():
    community = g.get("community")
    if community is None or not current_user.is_authenticated:
        return []
    return collect_items("timebank_tasks", community, user=_subject())


def _subject():
    """Whom the page is for: the member a coordinator acts for (proxy), else the logged-in user."""
    from .identity.proxy import current_subject

    return current_subject()


#: Session key that changes with each of the person's own changes (any request that is not a plain read).
CHANGE_MARK = "_tv"


def _kept_key(kind):
    """Who sees what: the community, the person and whom they act for, their role, the plugins on, the language,
    and the person's change mark as it was when the request came in (see ``mark_change``)."""
    from .communities.context import current_membership as _membership
    from .i18n import current_locale_name
    from .plugin_state import enabled_plugin_names

    community = g.get("community")
    found = g.get("_timebank_kept_key")
    if found is None or found[0] is not community:  # the same for each kind a page keeps: found once
        membership = _membership()
        mark = g.get("_timebank_mark_before", session.get(CHANGE_MARK))
        found = g._timebank_kept_key = (community, (
            community.id, current_user.id, _subject().id, getattr(membership, "role", None),
            enabled_plugin_names(community), current_locale_name(), mark))
    return (kind, *found[1])


#: Session key: the Tasks number as last counted for this person, for the other workers (see ``_kept``).
KEPT_IN_SESSION = "_tk"


def _session_digest(key):
    """The same key in every worker process: a digest of its parts (plugin names sorted; ``hash`` varies)."""
    parts = [sorted(part) if isinstance(part, frozenset) else part for part in key]
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _kept(kind, compute, fresh=False, only_if_known=False, in_session=False):
    """``compute()`` kept for ``TASK_BADGE_SECONDS`` per person, community and worker process (0: always fresh).

    ``fresh`` recomputes (and keeps the new value); ``only_if_known`` returns ``None`` instead of computing.
    ``in_session``: a small value is also kept in the person's (signed) session cookie, so that the other
    workers and nodes find it too: a person's pages seldom come back to the same worker (gunicorn gives each
    request to whichever worker is free), and without it most pages of a real visit would count again."""
    seconds = current_app.config.get("TASK_BADGE_SECONDS") or 0
    if not seconds:
        return None if only_if_known else compute()
    cache = current_app.extensions.setdefault("timebank_kept", {})
    key = _kept_key(kind)
    moment = time.monotonic()
    kept = cache.get(key)
    if kept is not None and kept[0] > moment and not fresh:
        return kept[1]
    digest = _session_digest(key) if in_session else None
    if in_session and not fresh:
        stored = session.get(KEPT_IN_SESSION)
        left = stored[1] - time.time() if isinstance(stored, list) and len(stored) == 3 else 0
        if stored and stored[0] == digest and 0 < left <= seconds:
            cache[key] = (moment + left, stored[2])
            return stored[2]
    if only_if_known:
        return None
    value = compute()
    if len(cache) >= 20_000:  # bounded: a busy worker forgets everybody at once rather than growing
        cache.clear()
    cache[key] = (moment + seconds, value)
    if in_session:
        session[KEPT_IN_SESSION] = [digest, int(time.time()) + seconds, value]
    return value


def task_count():
    """The number on the Tasks tab, shown on every page. It gathers every plugin's tasks, about half the cost of a
    page, so it is kept for ``TASK_BADGE_SECONDS`` per person and community, in the worker process and in the
    person's session for the other workers (0: always fresh).

    The person's own changes show at once: any POST changes the mark in their session, and so the key, for the
    pages after it. The page that answers the POST itself (a check-in result, a form shown again with its errors)
    uses the key the request came with: it shows the number kept from the page before, or no number when this
    worker has none (at 7:00 the check-in answer must not gather every plugin's tasks). So does a page marked with
    ``quick_page`` (the check-in confirmation a poster's QR code opens). Other people's changes show within those
    seconds; the Tasks page itself is always fresh."""
    community = g.get("community")
    if community is None or not current_user.is_authenticated:
        return 0

    def count():
        return sum(item.count for item in task_items())

    if request.method not in ("GET", "HEAD") or is_quick_page():
        return _kept("tasks", count, only_if_known=True, in_session=True)
    return _kept("tasks", count, fresh=request.endpoint == "home.tasks", in_session=True)


def quick_page():
    """Mark the page of this request as one opened in passing: the check-in page that a duty post's QR code opens
    at 7:00, with two hundred volunteers each opening it once. Its tab bar and navigation show the badges this
    worker already knows for the person and gather nothing (the Tasks number of a person's first page costs
    every plugin's tasks: three times the check-in itself)."""
    g._timebank_quick_page = True


def is_quick_page():
    return g.get("_timebank_quick_page", False)


def mark_change():
    """``before_request``: a logged-in person's own change (anything but a read) makes their next badge fresh."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and "_user_id" in session:
        g._timebank_mark_before = session.get(CHANGE_MARK)
        session[CHANGE_MARK] = (session.get(CHANGE_MARK) or 0) % 1_000_000 + 1


def unread_notifications():
    """The number on the bell, fresh on every page: a community page reads it with its first statement
    (``communities.services.with_visitor``), so it costs nothing more, also on a ``quick_page``."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return 0
    from .notifications.services import unread_on_this_page

    return unread_on_this_page(user)


def asset_urls():
    return collect_items("timebank_asset_urls", g.get("community"))


def bundle_url(kind):
    """The page's one stylesheet or script: the core's joined with the community's plugins' (timebank.assets)."""
    from .assets import bundle_url as _bundle_url

    return _bundle_url(kind)


def proxied_user():
    from .identity.proxy import proxied_user as _proxied

    return _proxied()


def current_membership():
    from .communities.context import current_membership as _membership

    return _membership()


def is_staff():
    """The current user coordinates the current community (shows the admin entry)."""
    from .permissions import can

    community = g.get("community")
    return community is not None and can(current_user, "members.approve", community)
