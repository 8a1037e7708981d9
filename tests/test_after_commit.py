"""After-commit work: many steps that commit themselves (one event per entry of a bulk confirmation)."""

from timebank.events import after_commit, commit


def test_steps_that_commit_run_in_order_without_nesting(app, caplog):
    ran = []

    def step(number):
        ran.append(number)
        commit()  # a listener that writes and commits, as the honour awards' star check does

    with app.app_context():
        for number in range(1500):
            after_commit(lambda number=number: step(number))
        commit()
    assert ran == list(range(1500))
    assert not [record for record in caplog.records if record.levelname == "ERROR"]  # no RecursionError


def test_work_queued_by_a_step_runs_after_it(app):
    order = []

    def outer():
        order.append("outer")
        after_commit(lambda: order.append("inner"))
        commit()
        order.append("outer done")

    with app.app_context():
        after_commit(outer)
        commit()
    assert order == ["outer", "outer done", "inner"]
