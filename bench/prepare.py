"""What a benchmark run needs from a generated database before the server starts: open shifts at the posts where
the volunteers scan, the posts' QR tokens, signed session cookies (minted with the app's own session and CSRF code,
so the load test does not spend minutes on scrypt logins) and the pending records the bulk confirmation takes."""

from datetime import timedelta
from urllib.parse import quote

USER_AGENT = "timebank-bench"
SCAN_POSTS = 8
#: The morning rush (``bench/rush.py``): this many volunteers, each scanning once at one of ``RUSH_POSTS`` other
#: posts (two gates). They are kept out of the check-in scenario's pairs, so each rush scan is the person's first of
#: the day, as at 7:00.
RUSH_VOLUNTEERS, RUSH_POSTS = 200, 2
#: People browsing (``bench/browse.py``): this many volunteers and the coordinator, each on a short visit.
BROWSE_VOLUNTEERS = 40


def browse_visits(slug, volunteer_cookies, coordinator_cookie):
    """``[{cookie, pages}]``: a volunteer's visit (home, my hours, the shift list, home, tasks, my hours) for each
    of ``volunteer_cookies``, and a coordinator's (home, tasks, the confirmation queue, the leader's page, home)."""
    base = f"/c/{slug}"
    volunteer = [f"{base}/", f"{base}/hours/", f"{base}/p/qr-checkin/", f"{base}/", f"{base}/tasks", f"{base}/hours/"]
    coordinator = [f"{base}/", f"{base}/tasks", f"{base}/ledger/queue", f"{base}/p/qr-checkin/lead", f"{base}/"]
    return ([dict(cookie=cookie, pages=volunteer) for cookie in volunteer_cookies]
            + [dict(cookie=coordinator_cookie, pages=coordinator)])


def mint_sessions(app, users, community_slug):
    """``{username: (cookie header value, csrf form token)}`` for logged-in sessions of ``users``."""
    from flask import g, session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    minted = {}
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                  headers={"User-Agent": USER_AGENT}):
        for user in users:
            session.clear()
            g.pop("csrf_token", None)
            login_user(user)
            session["community"] = community_slug
            token = generate_csrf()
            minted[user.username] = (f"{cookie_name}={serializer.dumps(dict(session))}", token)
    return minted


def prepare_timebank(app, handles, bulk_rounds=3, bulk_size=1000):
    """Returns the request lines and ids of every scenario (see ``bench/run.py``)."""
    from sqlalchemy import select
    from timebank_plugins.qr_checkin import tokens
    from timebank_plugins.qr_checkin.models import DutyPost, Shift

    from timebank.clock import now
    from timebank.communities.models import Membership
    from timebank.extensions import db
    from timebank.identity.models import User
    from timebank.ledger.models import ServiceRecord

    slug, community_id = handles["community"], handles["community_id"]
    with app.app_context():
        moment = now().replace(microsecond=0)
        posts = db.session.scalars(select(DutyPost).where(
            DutyPost.community_id == community_id, DutyPost.checkin_policy == "static", DutyPost.active.is_(True))
            .order_by(DutyPost.id).limit(SCAN_POSTS + RUSH_POSTS)).all()
        for post in posts:  # the morning rush: a shift open now at each post
            db.session.add(Shift(community_id=community_id, post_id=post.id, starts_at=moment - timedelta(minutes=5),
                                 ends_at=moment + timedelta(hours=3), capacity=400, note="早高峰值守",
                                 created_at=moment))
        db.session.commit()
        post_tokens = [tokens.poster_token(post) for post in posts]
        post_tokens, rush_tokens = post_tokens[:SCAN_POSTS], post_tokens[SCAN_POSTS:]
        volunteers = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community_id, Membership.role == "volunteer", Membership.status == "active")
            .order_by(User.id)).all()
        named = {user.username: user for user in db.session.scalars(select(User).where(User.username.in_(
            [handles["coordinator"], handles["volunteer"]]))).all()}
        sessions = mint_sessions(app, [*named.values(), *volunteers], slug)
        pending = db.session.scalars(select(ServiceRecord.id).where(
            ServiceRecord.community_id == community_id, ServiceRecord.status == "pending")
            .order_by(ServiceRecord.activity_date, ServiceRecord.id).limit(bulk_rounds * bulk_size)).all()
        db.session.remove()
        db.engine.dispose()
    volunteers, rushing = volunteers[:-RUSH_VOLUNTEERS], volunteers[-RUSH_VOLUNTEERS:]
    rush = [dict(path=f"/p/qr-checkin/scan/{rush_tokens[index % len(rush_tokens)]}",
                 cookie=sessions[user.username][0], body=f"csrf_token={quote(sessions[user.username][1])}")
            for index, user in enumerate(rushing)]
    # Check-in: every (volunteer, post) pair once, volunteers first so that a run that wraps around goes to the
    # next post rather than repeating a scan.
    scans = []
    for token in post_tokens:
        for user in volunteers:
            cookie, csrf = sessions[user.username]
            scans.append(("POST", f"/p/qr-checkin/scan/{token}", cookie, f"csrf_token={quote(csrf)}"))
    coordinator, volunteer = sessions[handles["coordinator"]], sessions[handles["volunteer"]]
    bulk = [pending[start:start + bulk_size] for start in range(0, len(pending), bulk_size)]
    browsing = browse_visits(slug, [sessions[user.username][0] for user in volunteers[:BROWSE_VOLUNTEERS]],
                             coordinator[0])
    return dict(scans=scans, rush=rush, browse=browsing, coordinator=coordinator, volunteer=volunteer, bulk=bulk,
                posts=len(post_tokens), scan_volunteers=len(volunteers))
