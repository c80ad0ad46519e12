"""A job that ended just before the window closed, its answer still waiting in the event queue, answers nothing
after the close: the window's base is closed by then (on PostgreSQL the dashboard's late answer wrote its kept
figures to a closed database)."""
from __future__ import annotations


from cvdesk.ui.operations import DONE, FAILED, Operation, finish_running, running


def test_a_job_ended_but_not_yet_answered_stays_silent_after_the_close(parent, qtbot) -> None:
    answered: list[object] = []
    op = Operation(parent, lambda _progress, _cancelled: 42, title="Tableau de bord", on_success=answered.append,
                   show_progress=False)
    op.start()
    assert op.wait(5000)  # the worker has ended; its answer is queued for the window's thread
    assert finish_running(parent)
    qtbot.waitUntil(lambda: op not in running())
    assert answered == [] and op.outcome == (DONE, 42)


def test_a_failure_queued_at_the_close_shows_no_message(parent, qtbot, warnings_shown) -> None:
    def broken(_progress, _cancelled):
        raise KeyError("x")

    op = Operation(parent, broken, title="Tableau de bord", show_progress=False)
    op.start()
    assert op.wait(5000)
    assert finish_running(parent)
    qtbot.waitUntil(lambda: op not in running())
    assert warnings_shown == [] and op.outcome is not None and op.outcome[0] == FAILED


def test_a_job_answering_before_the_close_still_answers(parent, qtbot) -> None:
    answered: list[object] = []
    op = Operation(parent, lambda _progress, _cancelled: 42, title="Tableau de bord", on_success=answered.append,
                   show_progress=False)
    with qtbot.waitSignal(op.settled, timeout=5000):
        op.start()
    assert finish_running(parent)
    assert answered == [42]
