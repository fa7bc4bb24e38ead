"""Claiming ahead of free slots (``PYQUEUE_PREFETCH``): only while tasks are short; waiting tasks
stay leased, keep their order, start as slots free, are cancelled at once, and a shutdown gives them
back uncounted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from pyqueue import NewTask, Queue
from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task
from pyqueue.models.values import TaskQuery
from pyqueue.stores import TaskStore
from pyqueue.system.pool import PREFETCH_HORIZON, PREFETCH_PER_WORKER
from tests import sample_tasks
from tests.support import MakeQueue, wait_for


def _inprogress(store: TaskStore) -> int:
    return store.counts().by_status[TaskStatus.INPROGRESS]


WARM_UP = 5


def _short_tasks_seen(make_queue: MakeQueue, url: str, **settings: Any) -> Queue:
    """A started queue whose attempts so far were short (:data:`WARM_UP` ECHO tasks): it claims
    ahead from now on, as long as its tasks stay short."""
    queue = make_queue(database_url=url, **settings)
    queue.enqueue_many([NewTask("ECHO", i) for i in range(WARM_UP)])
    assert queue.wait_idle(timeout=20)
    return queue


def _one_slot_busy(make_queue: MakeQueue, url: str, prefetch: int, **settings: Any) -> Queue:
    """A queue of one worker thread, busy with a BLOCK task, that claims ``prefetch`` ahead."""
    queue = _short_tasks_seen(make_queue, url, workers=1, prefetch=prefetch, **settings)
    blocker = queue.enqueue("BLOCK", "hold")
    assert sample_tasks.started.get(timeout=10) == blocker.t_id
    return queue


def _waiting(queue: Queue, payloads: list[Any]) -> list[Task]:
    """COUNT tasks, enqueued and claimed ahead by ``queue`` (whose one slot is busy)."""
    tasks = queue.enqueue_many([NewTask("COUNT", p) for p in payloads])
    assert wait_for(queue, lambda: _inprogress(queue.store) == 1 + len(tasks), timeout=10)
    return tasks


def test_a_process_holds_at_most_its_workers_plus_its_prefetch(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _short_tasks_seen(make_queue, every_store_url, workers=2, prefetch=3)
    tasks = queue.enqueue_many([NewTask("BLOCK", i) for i in range(10)])
    running = {sample_tasks.started.get(timeout=10) for _ in range(2)}
    assert running == {t.t_id for t in tasks[:2]}  # claimed in order, the first two started
    assert wait_for(queue, lambda: _inprogress(queue.store) == 5, timeout=10)
    assert queue.stats().busy == 2  # busy counts threads running a handler, not waiting tasks
    waiting = [queue.store.get(t.t_id) for t in tasks[2:5]]
    assert all(t is not None and t.status is TaskStatus.INPROGRESS for t in waiting)
    rest = [queue.store.get(t.t_id) for t in tasks[5:]]
    assert all(t is not None and t.status is TaskStatus.QUEUED for t in rest)
    sample_tasks.release.set()
    assert queue.wait_idle(timeout=20)
    assert queue.store.counts().by_status[TaskStatus.COMPLETED] == WARM_UP + 10


def test_without_prefetch_a_process_claims_only_for_free_slots(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _short_tasks_seen(make_queue, every_store_url, workers=2, prefetch=0)
    queue.enqueue_many([NewTask("BLOCK", i) for i in range(6)])
    for _ in range(2):
        sample_tasks.started.get(timeout=10)
    assert _inprogress(queue.store) == 2


def test_waiting_tasks_start_in_claim_order_as_slots_free(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _short_tasks_seen(make_queue, every_store_url, workers=1, prefetch=4)
    tasks = queue.enqueue_many(
        [NewTask("BLOCK", "first", priority=100)]
        + [NewTask("BLOCK", i, priority=p) for i, p in enumerate([1, 5, 3, 5])]
    )
    assert sample_tasks.started.get(timeout=10) == tasks[0].t_id
    assert wait_for(queue, lambda: _inprogress(queue.store) == 5, timeout=10)
    sample_tasks.release.set()
    order = [sample_tasks.started.get(timeout=10) for _ in range(4)]
    # priority first, then first in first out: 5 (enqueued 2nd), 5 (4th), 3, 1
    assert order == [tasks[2].t_id, tasks[4].t_id, tasks[3].t_id, tasks[1].t_id]
    assert queue.wait_idle(timeout=10)


def test_a_waiting_task_outlives_its_lease_and_runs_once(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    # The lease is 0.6 s; the waiting tasks wait for the blocking one for three leases or more:
    # only the heartbeat's renewal of their leases keeps another claim from taking them.
    # A second process, started once they are claimed, would take any task whose lease ran out.
    queue = _one_slot_busy(make_queue, every_store_url, 3, lease_seconds=0.6)
    counted = _waiting(queue, [f"c{i}" for i in range(3)])
    other = make_queue(database_url=every_store_url, workers=1, prefetch=0, lease_seconds=0.6)
    first = queue.store.get(counted[0].t_id)
    assert first is not None and first.lease_expires_at is not None
    claimed_until = first.lease_expires_at

    def renewed_past_three_leases() -> bool:
        task = queue.store.get(counted[0].t_id)
        expires = task.lease_expires_at if task is not None else None
        return expires is not None and (expires - claimed_until).total_seconds() > 1.8

    assert wait_for(queue, renewed_past_three_leases, timeout=10)
    assert _inprogress(queue.store) == 4 and not sample_tasks.runs
    sample_tasks.release.set()
    assert queue.wait_idle(timeout=20) and other.wait_idle(timeout=20)
    assert dict(sample_tasks.runs) == {f"c{i}": 1 for i in range(3)}
    for task in counted:
        done = queue.store.get(task.t_id)
        assert done is not None and done.status is TaskStatus.COMPLETED and done.attempts == 1


def test_cancelling_a_waiting_task_ends_it_at_once_without_running_it(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _one_slot_busy(make_queue, every_store_url, 2)
    [victim] = _waiting(queue, ["victim"])
    queue.cancel(victim.t_id)
    assert queue.wait_for_status(victim.t_id, "CANCELLED", timeout=10)
    assert not sample_tasks.runs
    assert queue.stats().busy == 1  # the slot is still busy: the cancel did not wait for it


def test_deleting_a_waiting_task_never_runs_it(every_store_url: str, make_queue: MakeQueue) -> None:
    queue = _one_slot_busy(make_queue, every_store_url, 2)
    [victim] = _waiting(queue, ["victim"])
    queue.delete(victim.t_id)
    sample_tasks.release.set()
    assert queue.wait_idle(timeout=10)
    assert queue.store.get(victim.t_id) is None
    assert not sample_tasks.runs


def test_shutdown_gives_waiting_tasks_back_without_counting_an_attempt(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _one_slot_busy(make_queue, every_store_url, 3)
    waiting = _waiting(queue, [0, 1, 2])
    [blocker] = queue.list_tasks(TaskQuery(t_type="BLOCK"))[0]
    queue.stop(timeout=0.2)
    assert queue.join(timeout=10)
    assert not sample_tasks.runs
    for task in [blocker, *waiting]:
        back = queue.store.get(task.t_id)
        assert back is not None and back.status is TaskStatus.QUEUED and back.attempts == 0
        assert back.lease_id is None


@pytest.mark.parametrize("url", ["memory://", "sqlite"])
def test_prefetch_defaults_to_sixteen_per_worker_on_every_store(
    make_queue: MakeQueue, url: str, tmp_path: object
) -> None:
    assert PREFETCH_PER_WORKER == 16
    expected = PREFETCH_PER_WORKER
    database_url = url if url == "memory://" else f"sqlite:///{tmp_path}/q.db"
    queue = _short_tasks_seen(make_queue, database_url, workers=2)
    queue.enqueue_many([NewTask("BLOCK", i) for i in range(2 + 2 * expected + 6)])
    for _ in range(2):
        sample_tasks.started.get(timeout=10)
    assert wait_for(queue, lambda: _inprogress(queue.store) == 2 + 2 * expected, timeout=10)
    more = wait_for(queue, lambda: _inprogress(queue.store) > 2 + 2 * expected, timeout=0.3)
    assert not more


def test_a_process_claims_only_for_free_slots_until_it_has_seen_tasks_end(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = make_queue(database_url=every_store_url, workers=2, prefetch=3)
    queue.enqueue_many([NewTask("BLOCK", i) for i in range(6)])
    for _ in range(2):
        sample_tasks.started.get(timeout=10)
    more = wait_for(queue, lambda: _inprogress(queue.store) > 2, timeout=0.3)
    assert not more


def test_a_process_claims_ahead_only_what_its_workers_run_within_the_horizon(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    # One worker whose only attempt so far took 20 ms or more: 50 ms of work is at most 2 tasks
    # ahead (int(1 x 0.05 / 0.02)), however large ``prefetch`` is; at least 1 while under 50 ms.
    assert PREFETCH_HORIZON == 0.05
    queue = make_queue(database_url=every_store_url, workers=1, prefetch=50)
    queue.enqueue("NAP", 0.02)
    assert queue.wait_idle(timeout=20)
    blocker = queue.enqueue("BLOCK", "hold")
    assert sample_tasks.started.get(timeout=10) == blocker.t_id
    queue.enqueue_many([NewTask("COUNT", i) for i in range(10)])
    assert wait_for(queue, lambda: _inprogress(queue.store) >= 2, timeout=10)
    more = wait_for(queue, lambda: _inprogress(queue.store) > 3, timeout=0.3)
    assert not more
    sample_tasks.release.set()
    assert queue.wait_idle(timeout=20)


def test_long_tasks_turn_claiming_ahead_off(every_store_url: str, make_queue: MakeQueue) -> None:
    # Five short tasks, then enough of NAP (0.3 s each) to lift the average above PREFETCH_BELOW.
    queue = _short_tasks_seen(make_queue, every_store_url, workers=2, prefetch=3)
    queue.enqueue_many([NewTask("NAP", 0.3) for _ in range(6)])
    assert queue.wait_idle(timeout=20)
    queue.enqueue_many([NewTask("BLOCK", i) for i in range(6)])
    for _ in range(2):
        sample_tasks.started.get(timeout=10)
    more = wait_for(queue, lambda: _inprogress(queue.store) > 2, timeout=0.3)
    assert not more


class _Durations:
    """A pool observer: how long each attempt ran, by task id."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def attempt_started(self, task: Task) -> None:
        pass

    def attempt_ended(self, task: Task, outcome: Outcome, seconds: float) -> None:
        self.seconds[task.t_id] = seconds

    def leases_expired(self, tasks: Sequence[Task]) -> None:
        pass


def test_an_attempts_duration_leaves_out_its_wait_for_a_slot(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _short_tasks_seen(make_queue, every_store_url, workers=1, prefetch=2)
    durations = _Durations()
    queue.observers.add(durations)
    nap, *counted = queue.enqueue_many(
        [NewTask("NAP", 0.3), *(NewTask("COUNT", i) for i in (1, 2))]
    )
    assert queue.wait_idle(timeout=20)
    assert durations.seconds[nap.t_id] >= 0.3
    for task in counted:  # claimed with the NAP, they waited for its slot about 0.3 s
        done = queue.store.get(task.t_id)
        assert done is not None and done.started_at is not None and done.finished_at is not None
        assert (done.finished_at - done.started_at).total_seconds() >= 0.25
        assert durations.seconds[task.t_id] < 0.1


class _CountedPuts:
    """The pool's job queue, counting the tasks handed to another worker thread."""

    def __init__(self, jobs: Any) -> None:
        self.jobs = jobs
        self.puts = 0

    def put(self, item: Any) -> None:
        self.puts += 1
        self.jobs.put(item)


def test_a_waiting_task_runs_on_the_thread_whose_attempt_freed_its_slot(
    every_store_url: str, make_queue: MakeQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Handing a task to another thread wakes it (a context switch and a GIL hand-over, the most
    # of a short task's cost); the thread that just ended an attempt is awake already.
    queue = _one_slot_busy(make_queue, every_store_url, 4)
    waiting = _waiting(queue, [0, 1, 2, 3])
    counted = _CountedPuts(queue._pool._jobs)
    monkeypatch.setattr(queue._pool, "_jobs", counted)
    sample_tasks.release.set()
    assert queue.wait_idle(timeout=20)
    assert dict(sample_tasks.runs) == {str(i): 1 for i in range(4)}
    assert all((t := queue.store.get(w.t_id)) and t.status is TaskStatus.COMPLETED for w in waiting)
    assert counted.puts == 0


def test_a_task_that_took_the_slot_starts_even_when_recording_the_end_fails(
    make_queue: MakeQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = _one_slot_busy(make_queue, "memory://", 2)
    waiting = _waiting(queue, ["after"])
    finish = queue.store.finish

    def failing(task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        if outcome.result == "released":  # the blocker's end: a bug, not a store error
            raise RuntimeError("recording failed")
        return finish(task_id, lease_id, outcome)

    monkeypatch.setattr(queue.store, "finish", failing)
    sample_tasks.release.set()
    assert queue.wait_for_status(waiting[0].t_id, "COMPLETED", timeout=10)
    assert dict(sample_tasks.runs) == {"after": 1}
