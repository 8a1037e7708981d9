"""The reusable public notice (公示) with objections.

A plugin publishes a list for a period (``open_notice``); anybody may read it without logging in; anyone logged
in may lodge an objection with a reason (``lodge_objection``); a coordinator resolves each one
(``resolve_objection``: upheld withdraws the item it names, dismissed records why); the notice closes only when
its period is over and no objection is open (``close_notice``). The owner plugin hears about both decisions
through ``honor_awards_objection_upheld`` and ``honor_awards_notice_closed`` (see ``hookspecs.py``), inside the
same transaction. Honour campaigns and star volunteers use exactly this API.

Objections (who lodged them and why) are never shown on public pages; the public sees only how many are being
looked into.
"""

from sqlalchemy import func, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.database import lock_row
from timebank.errors import NotFound, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.hooks import hooks_for
from timebank.i18n import N_, _
from timebank.notifications.services import notify
from timebank.permissions import require
from timebank.validation import clean_text

from .models import Notice, NoticeItem, Objection
from .services import as_id, coordinators_of

PERMISSION = "honor_awards.notice"
OBJECTION_MIN_CHARS = 10


def open_notice(community, actor, *, owner, subject, title, ends_at, body="", items=(), starts_at=None):
    """Publish a notice from now (or ``starts_at``) until ``ends_at``, with ``items`` = ``[(key, label, detail)]``.

    ``label`` is what the public reads: mask personal names unless the person consented. Adds to the caller's
    transaction (so that the owner's own changes commit with it); the caller commits.
    """
    starts_at = starts_at or now()
    if ends_at <= starts_at:
        raise ValidationFailed(_("The notice must end after it starts."), field="ends_at")
    if notice_for(community, owner, subject) is not None:
        raise ValidationFailed(_("This has already been published."))
    notice = Notice(community_id=community.id, owner=owner, subject=subject[:80],
                    title=clean_text(title, "title", 120, required=True), body=clean_text(body, "body", 5000),
                    starts_at=starts_at, ends_at=ends_at, status="open", created_by_id=getattr(actor, "id", None))
    db.session.add(notice)
    db.session.flush()
    for key, label, detail in items:
        add_item(notice, key, label, detail)
    record_audit("honor_awards.notice_opened", actor=actor, community=community,
                 target=("honor_awards_notice", notice.id), detail={"owner": owner, "subject": subject})
    return notice


def add_item(notice, key, label, detail=""):
    """Add a line to an open notice (no commit)."""
    position = db.session.scalar(select(func.coalesce(func.max(NoticeItem.position), 0))
                                 .where(NoticeItem.notice_id == notice.id)) + 1
    item = NoticeItem(notice_id=notice.id, key=key[:60], position=position, label=str(label)[:120],
                      detail=str(detail or "")[:200])
    db.session.add(item)
    db.session.flush()
    return item


def relabel_item(owner, key, label):
    """Show a new public label on every open notice line of ``owner`` with ``key`` (consent changed; no commit)."""
    rows = db.session.scalars(select(NoticeItem).join(Notice, Notice.id == NoticeItem.notice_id)
                              .where(Notice.owner == owner, NoticeItem.key == key, Notice.status == "open"))
    for item in rows:
        item.label = str(label)[:120]


def notice_in(community, notice_id):
    notice = db.session.scalar(select(Notice).where(Notice.id == as_id(notice_id),
                                                    Notice.community_id == community.id))
    if notice is None:
        raise NotFound(notice_id)
    return notice


def notice_for(community, owner, subject):
    return db.session.scalar(select(Notice).where(Notice.community_id == community.id, Notice.owner == owner,
                                                  Notice.subject == subject))


def is_running(notice, moment=None):
    """Open and inside its period: objections are accepted."""
    moment = moment or now()
    return notice.status == "open" and notice.starts_at <= moment < notice.ends_at


def public_notices(community, limit=20):
    """``(open notices, closed notices)``, newest first: what the community's notice board shows."""
    rows = db.session.scalars(select(Notice).where(Notice.community_id == community.id)
                              .order_by(Notice.starts_at.desc(), Notice.id.desc()).limit(limit)).all()
    return [n for n in rows if n.status == "open"], [n for n in rows if n.status != "open"]


# --- Objections -----------------------------------------------------------------------------------------------------


def lodge_objection(notice, community, user, reason, item_id=None):
    """Anyone logged in objects during the period, with a reason; the coordinators are told. Commits."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValidationFailed(_("Log in to lodge an objection."))
    if not is_running(notice):
        raise ValidationFailed(_("The notice period is over: objections are no longer accepted."))
    item = None
    if item_id not in (None, "", 0, "0"):
        item = next((line for line in notice.items if line.id == as_id(item_id)), None)
        if item is None or item.withdrawn:
            raise ValidationFailed(_("Choose one of the options."), field="item_id")
    reason = clean_text(reason, "reason", 2000, required=True, missing=_("Say what the objection is about."))
    if len(reason) < OBJECTION_MIN_CHARS:
        raise ValidationFailed(_("Please explain in at least %(n)d characters.", n=OBJECTION_MIN_CHARS),
                               field="reason")
    lock_row(Notice, notice.id)  # two taps on "send" make one objection
    duplicate = select(Objection.id).where(Objection.notice_id == notice.id, Objection.author_id == user.id,
                                           Objection.status == "open")
    duplicate = duplicate.where(Objection.item_id == item.id) if item else duplicate.where(Objection.item_id.is_(None))
    if db.session.scalar(duplicate):
        raise ValidationFailed(_("You have already lodged an objection to this; the coordinators are looking "
                                 "into it."))
    objection = Objection(notice_id=notice.id, item_id=getattr(item, "id", None), author_id=user.id,
                          reason=reason, created_at=now(), status="open")
    db.session.add(objection)
    db.session.flush()
    for coordinator in coordinators_of(community):
        notify(coordinator, "honor_awards.objection", N_("An objection was lodged against the notice “%(title)s”."),
               community=community, link=f"/c/{community.slug}/p/honor-awards/manage/notices/{notice.id}",
               title=notice.title)
    record_audit("honor_awards.objection_lodged", actor=user, community=community,
                 target=("honor_awards_notice", notice.id))
    commit()
    return objection


def objection_in(community, objection_id):
    objection = db.session.scalar(select(Objection).join(Notice, Notice.id == Objection.notice_id)
                                  .where(Objection.id == as_id(objection_id), Notice.community_id == community.id))
    if objection is None:
        raise NotFound(objection_id)
    return objection


def objections_of(notice):
    return db.session.scalars(select(Objection).where(Objection.notice_id == notice.id)
                              .order_by(Objection.status != "open", Objection.created_at, Objection.id)).all()


def open_objection_count(notice):
    return int(db.session.scalar(select(func.count(Objection.id)).where(Objection.notice_id == notice.id,
                                                                        Objection.status == "open")) or 0)


def open_objections_in(community):
    """How many objections wait for a decision in the community (the coordinators' task)."""
    return int(db.session.scalar(select(func.count(Objection.id)).join(Notice, Notice.id == Objection.notice_id)
                                 .where(Notice.community_id == community.id, Objection.status == "open")) or 0)


def resolve_objection(objection, community, actor, *, upheld, resolution):
    """Uphold (the item it names is withdrawn; its owner is told in the same transaction) or dismiss an objection,
    with the reason recorded. The objector is told. Commits."""
    require(actor, PERMISSION, community)
    resolution = clean_text(resolution, "resolution", 2000, required=True,
                            missing=_("Record why you decided so."))
    lock_row(Notice, objection.notice_id)
    db.session.refresh(objection)
    if objection.status != "open":
        raise ValidationFailed(_("This objection has already been decided."))
    notice = objection.notice
    if notice.status != "open":
        raise ValidationFailed(_("This notice is already closed."))
    objection.status = "upheld" if upheld else "dismissed"
    objection.resolution, objection.resolved_by_id, objection.resolved_at = resolution, actor.id, now()
    item = objection.item
    try:
        if upheld:
            if item is not None:
                item.withdrawn = True
            hooks_for(community).honor_awards_objection_upheld(notice=notice, item=item, objection=objection,
                                                                 actor=actor, community=community)
        notify(objection.author, "honor_awards.objection_decided",
               N_("Your objection to “%(title)s” was upheld: %(resolution)s") if upheld else
               N_("Your objection to “%(title)s” was dismissed: %(resolution)s"),
               community=community, link=f"/c/{community.slug}/p/honor-awards/notices/{notice.id}",
               title=notice.title, resolution=resolution)
        record_audit("honor_awards.objection_" + objection.status, actor=actor, community=community,
                     target=("honor_awards_notice", notice.id), detail={"objection": objection.id})
        commit()
    except Exception:
        db.session.rollback()
        raise
    return objection


# --- Closing --------------------------------------------------------------------------------------------------------


def closing_problem(notice, moment=None):
    """Why the notice cannot close now (a translated sentence), or ``None``."""
    moment = moment or now()
    if notice.status != "open":
        return _("This notice is already closed.")
    if moment < notice.ends_at:
        return _("The notice period is not over yet.")
    if open_objection_count(notice):
        return _("Decide every open objection first: the results are final only without open objections.")
    return None


def close_notice(notice, community, actor):
    """Close a notice whose period is over and which has no open objection; its owner makes its results final in
    the same transaction (``honor_awards_notice_closed``). ``actor=None``: the command line. Commits."""
    if actor is not None:
        require(actor, PERMISSION, community)
    lock_row(Notice, notice.id)  # a double tap closes once
    db.session.refresh(notice)
    problem = closing_problem(notice)
    if problem:
        raise ValidationFailed(problem)
    notice.status, notice.closed_at, notice.closed_by_id = "closed", now(), getattr(actor, "id", None)
    items = [item for item in notice.items if not item.withdrawn]
    try:
        hooks_for(community).honor_awards_notice_closed(notice=notice, items=items, actor=actor, community=community)
        record_audit("honor_awards.notice_closed", actor=actor, community=community,
                     target=("honor_awards_notice", notice.id), detail={"items": len(items)})
        commit()
    except Exception:
        db.session.rollback()
        raise
    return notice


def due_notices(community, moment=None):
    """Open notices whose period is over and that have no open objection (what the cron job closes)."""
    moment = moment or now()
    open_objection = select(Objection.id).where(Objection.notice_id == Notice.id, Objection.status == "open")
    return db.session.scalars(select(Notice).where(Notice.community_id == community.id, Notice.status == "open",
                                                   Notice.ends_at <= moment, ~open_objection.exists())
                              .order_by(Notice.ends_at, Notice.id)).all()


def waiting_notices(community, moment=None):
    """Open notices whose period is over but that still have open objections."""
    moment = moment or now()
    return [notice for notice in db.session.scalars(
        select(Notice).where(Notice.community_id == community.id, Notice.status == "open", Notice.ends_at <= moment))
        if open_objection_count(notice)]
