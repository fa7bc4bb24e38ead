"""Attempt history and pauses, the same on every store."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta

from pyqueue.enums import TaskStatus
from pyqueue.models.control import QUEUE_KEY, Attempt, AttemptOutcome
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import AttemptEnd
from pyqueue.stores import TaskStore
from tests.stores.helpers import added, claim_one, new, retry_in


def _ids(tasks: Sequence[Task]) -> list[str]:
    return [t.t_id for t in tasks]


def _outcomes(attempts: list[Attempt]) -> list[tuple[int, AttemptOutcome]]:
    return [(a.number, a.outcome) for a in attempts]


# -- attempt history ----------------------------------------------------------------------------


def test_a_claim_opens_an_attempt_and_its_end_closes_it(store: TaskStore) -> None:
    task = added(store, 1)[0]
    assert store.attempts(task.t_id) == []
    running = store.claim(1, 30, worker="host:1:abc")[0]
    [opened] = store.attempts(task.t_id)
    assert opened.task_id == task.t_id
    assert (opened.number, opened.worker, opened.outcome) == (1, "host:1:abc", "RUNNING")
    assert opened.started_at == running.started_at
    assert opened.finished_at is None

    assert running.lease_id is not None
    done = store.finish(task.t_id, running.lease_id, Outcome(TaskStatus.COMPLETED, result=1))
    assert done is not None
    [closed] = store.attempts(task.t_id)
    assert closed.outcome is AttemptOutcome.COMPLETED
    assert closed.finished_at == done.finished_at
    assert (closed.error, closed.traceback) == (None, None)


def test_every_attempt_is_kept_in_order_with_its_error_and_traceback(store: TaskStore) -> None:
    task = added(store, 1, max_retries=2)[0]
    for n in (1, 2):
        running = claim_one(store)
        assert running.lease_id is not None
        failure = Outcome(
            TaskStatus.QUEUED,
            error=f"boom {n}",
            next_run_at=utcnow() - timedelta(seconds=1),
            traceback=f"Traceback ...\nValueError: boom {n}",
        )
        store.finish(task.t_id, running.lease_id, failure)
    running = claim_one(store)
    assert running.lease_id is not None
    store.finish(task.t_id, running.lease_id, Outcome(TaskStatus.FAILED, error="last"))
    history = store.attempts(task.t_id)
    assert _outcomes(history) == [
        (1, AttemptOutcome.RETRY),
        (2, AttemptOutcome.RETRY),
        (3, AttemptOutcome.FAILED),
    ]
    assert [a.error for a in history] == ["boom 1", "boom 2", "last"]
    assert history[0].traceback == "Traceback ...\nValueError: boom 1"
    assert all(a.finished_at is not None and a.started_at <= a.finished_at for a in history)


def test_group_commit_closes_each_attempt_and_a_refused_end_closes_none(store: TaskStore) -> None:
    tasks = added(store, 3)
    running = store.claim(3, 30, worker="w")
    by_id = {t.t_id: t for t in running}
    ends = [
        AttemptEnd(
            tasks[0].t_id, by_id[tasks[0].t_id].lease_id or "", Outcome(TaskStatus.CANCELLED)
        ),
        AttemptEnd(tasks[1].t_id, "not-the-lease", Outcome(TaskStatus.COMPLETED)),
        AttemptEnd(
            tasks[2].t_id,
            by_id[tasks[2].t_id].lease_id or "",
            Outcome(TaskStatus.QUEUED, error="shutdown", refund_attempt=True),
        ),
    ]
    saved = store.finish_many(ends)
    assert [s is not None for s in saved] == [True, False, True]
    assert _outcomes(store.attempts(tasks[0].t_id)) == [(1, AttemptOutcome.CANCELLED)]
    assert _outcomes(store.attempts(tasks[1].t_id)) == [(1, AttemptOutcome.RUNNING)]
    assert _outcomes(store.attempts(tasks[2].t_id)) == [(1, AttemptOutcome.INTERRUPTED)]
    again = claim_one(store)  # the interrupted attempt did not count: the number comes again
    assert again.t_id == tasks[2].t_id
    assert _outcomes(store.attempts(again.t_id))[-1] == (1, AttemptOutcome.RUNNING)


def _ends_of_every_kind(store: TaskStore, tasks: Sequence[Task]) -> list[AttemptEnd]:
    """One end of each kind for five running ``tasks`` (the fourth has reported progress and has a
    cancel requested), and a refused one (not its lease) for the fifth."""
    leases = {t.t_id: t.lease_id or "" for t in store.claim(len(tasks), 30, worker="w")}
    a, b, c, d, e = (t.t_id for t in tasks)
    assert store.set_progress(d, leases[d], 0.5, "half way") is not None
    store.request_cancel(d)
    later = utcnow() + timedelta(hours=1)
    return [
        AttemptEnd(a, leases[a], Outcome(TaskStatus.COMPLETED, result={"sum": [1, 2]})),
        AttemptEnd(b, leases[b], Outcome(TaskStatus.QUEUED, error="boom", next_run_at=later)),
        AttemptEnd(c, leases[c], Outcome(TaskStatus.QUEUED, error="stop", refund_attempt=True)),
        AttemptEnd(
            d, leases[d], Outcome(TaskStatus.FAILED, error="bad\nline 2", traceback="Traceback")
        ),
        AttemptEnd(e, "not-the-lease", Outcome(TaskStatus.COMPLETED)),
    ]


def _as_ended(task: Task | None) -> tuple[object, ...]:
    """What an end decides of a task, its times reduced to whether they are set."""
    assert task is not None
    return (
        task.status,
        task.attempts,
        task.started_at is not None,
        task.finished_at is not None,
        task.next_run_at is not None,
        task.last_error,
        task.result,
        task.cancel_requested,
        task.lease_id is not None,
        task.lease_expires_at is not None,
        task.progress,
        task.progress_message,
    )


def test_recording_ends_without_reading_back_changes_what_finish_many_does(
    store: TaskStore,
) -> None:
    # Two like groups of tasks: one ended by finish_many, the other by record_ends.
    read_back = added(store, 5, max_retries=1)
    quiet = added(store, 5, max_retries=1)
    saved = store.finish_many(_ends_of_every_kind(store, read_back))
    assert [task is not None for task in saved] == [True, True, True, True, False]
    assert store.record_ends(_ends_of_every_kind(store, quiet)) == 4
    assert store.record_ends([]) == 0
    for one, other in zip(read_back, quiet, strict=True):
        assert _as_ended(store.get(one.t_id)) == _as_ended(store.get(other.t_id))
        history = [(a.number, a.outcome, a.error, a.traceback) for a in store.attempts(one.t_id)]
        assert history == [
            (a.number, a.outcome, a.error, a.traceback) for a in store.attempts(other.t_id)
        ]
    retried = store.get(quiet[1].t_id)
    assert retried is not None and retried.next_run_at is not None
    assert retried.next_run_at > utcnow() + timedelta(minutes=59)  # not claimable before then
    counts = store.counts().by_status
    assert counts[TaskStatus.COMPLETED] == 2 and counts[TaskStatus.FAILED] == 2
    assert counts[TaskStatus.QUEUED] == 4 and counts[TaskStatus.INPROGRESS] == 2


def test_crash_recovery_closes_the_open_attempt_as_lease_expired(store: TaskStore) -> None:
    task = added(store, 1)[0]
    store.claim(1, 0.05, worker="gone")
    time.sleep(0.1)  # the lease runs out: nothing to wait on but the clock
    [recovered] = store.recover_expired()
    [attempt] = store.attempts(task.t_id)
    assert attempt.outcome is AttemptOutcome.LEASE_EXPIRED
    assert attempt.error == recovered.last_error
    assert attempt.finished_at == recovered.updated_at


def test_deleting_or_clearing_tasks_deletes_their_attempts(store: TaskStore) -> None:
    tasks = added(store, 3)
    store.claim(3, 30)
    store.delete(tasks[0].t_id)
    assert store.attempts(tasks[0].t_id) == []
    assert len(store.attempts(tasks[1].t_id)) == 1
    store.clear(TaskStatus.INPROGRESS)
    assert store.attempts(tasks[1].t_id) == []
    assert store.attempts(tasks[2].t_id) == []
    again = added(store, 2)
    store.claim(2, 30)
    store.clear()  # everything, by the store's fastest path
    assert [store.attempts(t.t_id) for t in again] == [[], []]
    store.add([new()])
    fresh = claim_one(store)
    assert len(store.attempts(fresh.t_id)) == 1  # a clear leaves no history behind


# -- pauses ---------------------------------------------------------------------------------------


def test_a_paused_type_is_not_claimed_and_stays_queued_until_resumed(store: TaskStore) -> None:
    email = added(store, 2, "EMAIL")
    sms = added(store, 1, "SMS")
    assert store.set_paused("EMAIL", True) is True
    assert store.set_paused("EMAIL", True) is False  # already paused
    assert [p.name for p in store.pauses()] == ["EMAIL"]
    assert _ids(store.claim(10, 30)) == _ids(sms)
    assert store.claim(10, 30) == []
    assert all(store.get(t.t_id).status is TaskStatus.QUEUED for t in email)  # type: ignore[union-attr]
    store.add([new("EMAIL")])  # enqueue is still accepted
    assert store.set_paused("EMAIL", False) is True
    assert store.set_paused("EMAIL", False) is False
    assert store.pauses() == []
    assert len(store.claim(10, 30)) == 3


def test_pausing_the_whole_queue_stops_every_claim(store: TaskStore) -> None:
    tasks = added(store, 2, "EMAIL")
    later = new("SMS")
    store.add([later])
    store.set_paused(QUEUE_KEY, True)
    [pause] = store.pauses()
    assert pause.name == QUEUE_KEY
    assert abs((pause.paused_at - utcnow()).total_seconds()) < 60
    assert store.claim(10, 30) == []
    store.set_paused(QUEUE_KEY, False)
    assert _ids(store.claim(10, 30)) == [*_ids(tasks), later.t_id]


def test_a_paused_type_keeps_its_place_in_the_claim_order(store: TaskStore) -> None:
    first = added(store, 1, "EMAIL")[0]
    second = added(store, 1, "SMS")[0]
    third = added(store, 1, "EMAIL")[0]
    store.set_paused("EMAIL", True)
    assert _ids(store.claim(1, 30)) == [second.t_id]
    store.set_paused("EMAIL", False)
    assert _ids(store.claim(10, 30)) == [first.t_id, third.t_id]


def test_a_due_retry_of_a_paused_type_wakes_nobody(store: TaskStore) -> None:
    task = added(store, 1, "EMAIL")[0]
    running = claim_one(store)
    assert running.lease_id is not None
    store.finish(task.t_id, running.lease_id, retry_in(-1))  # due already
    store.set_paused("EMAIL", True)
    assert store.claim(10, 30) == []
    assert store.next_due() is None  # an idle dispatcher must not spin on it
    store.set_paused("EMAIL", False)
    store.set_paused(QUEUE_KEY, True)
    assert store.next_due() is None
    assert store.claim(10, 30) == []
    store.set_paused(QUEUE_KEY, False)
    assert _ids(store.claim(10, 30)) == [task.t_id]
