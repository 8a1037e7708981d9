"""The home card's shift lines (``lines.py``) read plain columns: they must show what the shifts show."""

from datetime import timedelta

from timebank_plugins.qr_checkin import lines, services

from .conftest import START


def shown(shift):
    """What ``qr_checkin/_shift_line.html`` shows of a shift (or of a line)."""
    return (shift.id, shift.starts_at, shift.ends_at, shift.note, shift.post.name, shift.post.place,
            shift.leader.display_name if shift.leader else None)


def test_the_coming_shift_lines_show_what_the_shifts_show(ctx):
    def plan(c, users, post, shift):
        other = services.save_post(c, users["coord"], name="南门岗亭", kind="gate")  # no place
        services.sign_up(shift, c, users["vol"])  # the fixture's shift, with a leader
        for hours, where, leader in ((26, other, None), (50, post, "leader"), (3, other, None)):
            start = START + timedelta(hours=hours)
            extra = services.create_shift(c, users["coord"], where, start, start + timedelta(hours=2), capacity=2,
                                          leader_id=users[leader].id if leader else None, note="带好手电")
            services.sign_up(extra, c, users["vol"])
        services.sign_up(services.create_shift(c, users["coord"], post, START + timedelta(hours=5),
                                               START + timedelta(hours=6), capacity=2), c, users["vol2"])

    ctx(plan)

    def compare(c, users, post, shift):
        volunteer = users["vol"]
        for days, limit in ((14, 3), (14, None), (1, None)):
            assert [shown(line) for line in lines.upcoming_lines(c, volunteer, days=days, limit=limit)] == \
                [shown(found) for found in services.upcoming_for(c, volunteer, days=days, limit=limit)]
        return [shown(line) for line in lines.upcoming_lines(c, volunteer, days=14, limit=None)]

    found = ctx(compare)
    assert len(found) == 4 and [line[1] for line in found] == sorted(line[1] for line in found)
    assert {line[6] for line in found} == {"李队长", None} and {line[5] for line in found} == {"北门", ""}
