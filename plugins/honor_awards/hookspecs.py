"""Hooks that the honour awards plugin declares (through ``timebank_addhooks``) for other plugins.

* ``timebank_award_granted``: an event after an award became final (the name the issue asked for; it is the one
  hook here that is not prefixed with the plugin's name, because it announces a community-wide fact).
* ``honor_awards_objection_upheld`` and ``honor_awards_notice_closed``: the reusable public-notice step. A plugin
  that opens a notice (``timebank_plugins.honor_awards.notices.open_notice(owner="<plugin>", ...)``) implements
  them to withdraw a candidate and to make its results final. They run *inside* the deciding transaction (not
  isolated): an owner that fails rolls the decision back, so the notice and the owner's records never disagree.
  Every implementation is called for every notice: check ``notice.owner``.

All three are called only for plugins that are on in the notice's community.
"""

import pluggy

hookspec = pluggy.HookspecMarker("timebank")


@hookspec
def timebank_award_granted(award, community):
    """An honour became final: the notice period ended with no open objection (or a star volunteer's notice).

    Called after the transaction commits; each listener runs on its own (a failure is logged with the plugin's
    name and undoes nothing).

    :param award: the ``honor_awards.models.Award``: ``kind`` ("household", "person", "building", "star"),
        ``title``, ``level``, ``year``, ``star_level``, ``user_id`` / ``household_id`` / ``building_id``,
        ``certificate_number``, ``awarded_on``.
    :param community: the ``Community``.
    :return: nothing.
    """


@hookspec
def honor_awards_objection_upheld(notice, item, objection, actor, community):
    """A coordinator upheld an objection to a public notice: withdraw the candidate it names.

    Called inside the resolving transaction; raising rolls the resolution back.

    :param notice: the ``Notice`` (check ``notice.owner`` and ``notice.subject``).
    :param item: the ``NoticeItem`` now withdrawn (``item.key`` is the owner's own key), or ``None`` when the
        objection was against the notice as a whole.
    :param objection: the ``Objection`` (``resolution`` says why it was upheld; never publish its ``reason``).
    :param actor: the ``User`` who decided.
    :param community: the ``Community``.
    :return: nothing.
    """


@hookspec
def honor_awards_notice_closed(notice, items, actor, community):
    """A notice period ended with no open objection and was closed: the owner makes its results final.

    Called inside the closing transaction; raising rolls the closing back (the notice stays open).

    :param notice: the ``Notice``.
    :param items: the ``NoticeItem`` rows still listed (withdrawn ones left out).
    :param actor: the ``User`` who closed it, or ``None`` when the command line (cron) did.
    :param community: the ``Community``.
    :return: nothing.
    """
