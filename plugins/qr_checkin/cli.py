"""``timebank qr-checkin ...``: print posters, list today's shifts, close forgotten check-outs (for cron)."""

from datetime import datetime, time, timedelta
from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import with_appcontext

from timebank.communities.services import all_communities, community_by_slug
from timebank.errors import NotFound
from timebank.plugin_state import is_enabled


def _community(slug):
    try:
        community = community_by_slug(slug)
    except NotFound:
        raise click.ClickException(f"No community with the short name {slug!r}.") from None
    if not is_enabled("qr_checkin", community):
        raise click.ClickException(f"Duty shifts (qr_checkin) are off in {slug}; switch them on first.")
    return community


@click.group("qr-checkin", help="Duty shifts with QR check-in.")
def qr_checkin_group():
    pass


@qr_checkin_group.command("posters")
@click.option("--community", "slug", required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--size", type=click.Choice(["a4", "label"]), default="a4", show_default=True)
@click.option("--base-url", help="Public address of this installation (default: BASE_URL).")
@with_appcontext
def posters_command(slug, out_dir, size, base_url):
    """Write one printable poster (HTML with an inline SVG QR code) and one SVG code per active post."""
    from . import services, tokens
    from .posters import scan_url

    base_url = base_url or current_app.config.get("BASE_URL")
    if not base_url:
        raise click.ClickException("Give --base-url or set BASE_URL: the QR codes must hold the public address.")
    community = _community(slug)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    with current_app.test_request_context(base_url=base_url):
        from flask import g

        g.community = community
        from timebank.ledger.certificates import qr_svg

        for post in [post for post in services.posts_in(community) if post.checkin_policy == "static"]:
            url = scan_url(tokens.poster_token(post))
            svg = qr_svg(url).decode()
            (out_dir / f"post-{post.id}.svg").write_text(svg, encoding="utf-8")
            html = render_template("qr_checkin/poster_print.html", post=post, size=size, url=url, svg=svg,
                                   community=community)
            (out_dir / f"post-{post.id}-{size}.html").write_text(html, encoding="utf-8")
            written += 1
    click.echo(f"{written} posters written to {out_dir}")


@qr_checkin_group.command("today")
@click.option("--community", "slug", required=True)
@with_appcontext
def today_command(slug):
    """List today's shifts with sign-ups and check-ins."""
    from . import services

    community = _community(slug)
    zone = services._zone(community)
    start = datetime.combine(services.local_day(community), time(0), zone)
    shifts = services.shifts_between(community, start, start + timedelta(days=1))
    counts = services.signup_counts([shift.id for shift in shifts])
    for shift in shifts:
        confirmed, waiting = counts[shift.id]
        click.echo(f"{shift.starts_at.astimezone(zone):%H:%M}-{shift.ends_at.astimezone(zone):%H:%M}\t"
                   f"{shift.post.name}\t{confirmed}/{shift.capacity} signed up\t{waiting} waiting")
    if not shifts:
        click.echo("No shifts today.")


@qr_checkin_group.command("close-shifts")
@click.option("--community", "slug", help="Only this community (default: every community where it is on).")
@with_appcontext
def close_shifts_command(slug):
    """Close check-ins nobody checked out of, at the end of their shift, and flag them (run from cron)."""
    from .attendance import close_forgotten

    communities = [_community(slug)] if slug else [c for c in all_communities() if is_enabled("qr_checkin", c)]
    total = sum(close_forgotten(community) for community in communities)
    click.echo(f"{total} forgotten check-outs closed.")
