"""Contract: claims are atomic and ordered, finishes are fenced, leases renew and recover."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, utcnow
from pyqueue.models.values import AttemptEnd
from pyqueue.stores import TaskStore
from pyqueue.stores.common import LEASE_BATCH
from tests.stores.helpers import added, claim_one, retry_in


def test_claim_takes_the_oldest_into_inprogress_with_a_lease(store: TaskStore) -> None:
    tasks = added(store, 3)
    before = utcnow()
    claimed = store.claim(2, 30)
    assert [t.t_id for t in claimed] == [t.t_id for t in tasks[:2]]
    for task in claimed:
        assert task.status is TaskStatus.INPROGRESS
        assert task.attempts == 1
        assert task.lease_id
        assert task.started_at is not None
        assert task.started_at >= before
        assert task.lease_expires_at is not None
        assert task.lease_expires_at > before + timedelta(seconds=29)
        assert store.get(task.t_id) == task
    assert claimed[0].lease_id != claimed[1].lease_id
    assert [t.t_id for t in store.claim(5, 30)] == [tasks[2].t_id]
    assert store.claim(5, 30) == []


def test_a_claim_larger_than_a_batch_of_lease_ids_gives_each_task_its_own(
    store: TaskStore,
) -> None:
    count = LEASE_BATCH + 45
    for start in range(0, count, 500):
        added(store, min(500, count - start))
    claimed = store.claim(count + 10, 30)
    leases = [task.lease_id for task in claimed]
    assert len(claimed) == count
    assert len(set(leases)) == count
    assert all(re.fullmatch(r"[0-9a-f]{32}", lease or "") for lease in leases)
    for task in claimed:  # each lease fences its own task
        assert store.finish(task.t_id, task.lease_id or "", Outcome(TaskStatus.COMPLETED))


@pytest.mark.parametrize("limit", [0, -3])
def test_a_claim_of_no_tasks_takes_none(store: TaskStore, limit: int) -> None:
    # SQLite reads LIMIT -3 as no limit at all, PostgreSQL refuses it, memory's lease ids failed
    tasks = added(store, 5)
    assert store.claim(limit, 30) == []
    assert all((t := store.get(task.t_id)) and t.status is TaskStatus.QUEUED for task in tasks)
    assert store.counts().by_status[TaskStatus.INPROGRESS] == 0


def test_claim_respects_next_run_at(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store)
    assert task.lease_id is not None
    waiting = store.finish(task.t_id, task.lease_id, retry_in(3600))
    assert waiting is not None
    assert waiting.status is TaskStatus.QUEUED
    assert waiting.next_run_at is not None
    assert waiting.last_error == "boom"
    assert store.claim(10, 30) == []
    assert store.next_due() == waiting.next_run_at


def test_a_due_retry_is_claimed_again(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store)
    assert task.lease_id is not None
    store.finish(task.t_id, task.lease_id, retry_in(-1))
    again = claim_one(store)
    assert again.t_id == task.t_id
    assert again.attempts == 2
    assert again.next_run_at is None
    assert again.last_error == "boom"
    assert store.next_due() is None


def test_concurrent_claims_take_each_task_once(store: TaskStore) -> None:
    total = 2000
    for start in range(0, total, 500):
        added(store, min(500, total - start))
    seen: Counter[str] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def claimer(batch: int) -> None:
        try:
            while claimed := store.claim(batch, 30):
                with lock:
                    seen.update(t.t_id for t in claimed)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(1 + i % 4 * 7,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(seen) == total
    assert set(seen.values()) == {1}
    assert store.counts().by_status[TaskStatus.INPROGRESS] == total


def test_finish_records_the_outcome_and_releases_the_lease(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store)
    assert task.lease_id is not None
    done = store.finish(task.t_id, task.lease_id, Outcome(TaskStatus.COMPLETED, result=[1, 2]))
    assert done is not None
    assert done.status is TaskStatus.COMPLETED
    assert done.result == [1, 2]
    assert done.finished_at is not None
    assert done.lease_id is None
    assert store.get(task.t_id) == done


def test_finish_with_a_stale_lease_changes_nothing(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store)
    assert task.lease_id is not None
    assert store.finish(task.t_id, "not-the-lease", Outcome(TaskStatus.COMPLETED)) is None
    assert store.get(task.t_id) == task
    store.finish(task.t_id, task.lease_id, retry_in(-1))
    second = claim_one(store)
    stale = store.finish(task.t_id, task.lease_id, Outcome(TaskStatus.FAILED, error="old"))
    assert stale is None
    assert store.get(task.t_id) == second
    assert store.finish("Task-missing", "x", Outcome(TaskStatus.COMPLETED)) is None


def test_an_interrupted_attempt_is_refunded(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store)
    assert task.lease_id is not None
    back = store.finish(task.t_id, task.lease_id, Outcome(TaskStatus.QUEUED, refund_attempt=True))
    assert back is not None
    assert back.status is TaskStatus.QUEUED
    assert back.attempts == 0
    assert claim_one(store).attempts == 1


def test_renew_extends_leases_and_reports_lost_and_cancelled(store: TaskStore) -> None:
    added(store, 3)
    kept, cancelled, finished = store.claim(3, 1)
    store.request_cancel(cancelled.t_id)
    assert finished.lease_id is not None
    store.finish(finished.t_id, finished.lease_id, Outcome(TaskStatus.COMPLETED))
    leases = {t.t_id: t.lease_id or "" for t in (kept, cancelled, finished)}
    leases["Task-missing"] = "x"
    result = store.renew(leases, 60)
    assert result.lost == {finished.t_id, "Task-missing"}
    assert result.cancel_requested == {cancelled.t_id}
    renewed = store.get(kept.t_id)
    assert renewed is not None
    assert renewed.lease_expires_at is not None
    assert renewed.lease_expires_at > utcnow() + timedelta(seconds=50)
    assert store.renew({kept.t_id: "wrong"}, 60).lost == {kept.t_id}


def test_recover_expired_requeues_then_fails(store: TaskStore) -> None:
    added(store, 1, max_retries=1)
    first = claim_one(store, lease_seconds=-1)
    healthy = added(store, 1)[0]
    assert claim_one(store).t_id == healthy.t_id
    recovered = store.recover_expired()
    assert [t.t_id for t in recovered] == [first.t_id]
    back = store.get(first.t_id)
    assert back is not None
    assert back.status is TaskStatus.QUEUED
    assert back.attempts == 1
    assert back.lease_id is None
    assert back.last_error is not None
    assert "Lease expired" in back.last_error
    assert store.recover_expired() == []
    second = claim_one(store, lease_seconds=-1)
    assert second.attempts == 2
    (failed,) = store.recover_expired()
    assert failed.status is TaskStatus.FAILED
    assert failed.finished_at is not None
    assert store.get(first.t_id) == failed
    assert store.finish(first.t_id, second.lease_id or "", Outcome(TaskStatus.COMPLETED)) is None


def test_recover_expired_cancels_a_task_asked_to_stop(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store, lease_seconds=-1)
    store.request_cancel(task.t_id)
    (recovered,) = store.recover_expired()
    assert recovered.status is TaskStatus.CANCELLED


def test_finish_many_records_each_end_in_one_call_fenced_one_by_one(store: TaskStore) -> None:
    added(store, 4)
    done, retried, stale, deleted = store.claim(4, 30)
    assert store.delete(deleted.t_id) is not None
    results = store.finish_many(
        [
            AttemptEnd(
                done.t_id, done.lease_id or "", Outcome(TaskStatus.COMPLETED, result={"a": 1})
            ),
            AttemptEnd(retried.t_id, retried.lease_id or "", retry_in(-1)),
            AttemptEnd(stale.t_id, "an-old-lease", Outcome(TaskStatus.FAILED, error="late")),
            AttemptEnd(deleted.t_id, deleted.lease_id or "", Outcome(TaskStatus.COMPLETED)),
        ]
    )
    assert [r.status if r else None for r in results] == [
        TaskStatus.COMPLETED,
        TaskStatus.QUEUED,
        None,
        None,
    ]
    assert results[0] is not None and results[0].result == {"a": 1}
    assert store.get(done.t_id) == results[0]
    assert store.get(retried.t_id) == results[1]
    assert store.get(stale.t_id) == stale  # still running under its own lease
    assert store.get(deleted.t_id) is None  # nothing resurrected
    counts = store.counts().by_status
    assert (counts[TaskStatus.COMPLETED], counts[TaskStatus.INPROGRESS]) == (1, 1)
    assert store.finish_many([]) == []


def test_a_batch_of_ends_larger_than_one_statements_id_list_is_recorded_whole(
    store: TaskStore,
) -> None:
    """The SQLite store reads a batch's tasks 500 ids to a statement: all 1,200 ends count."""
    added(store, 1_200)
    claimed = store.claim(1_200, 30)
    ends = [AttemptEnd(t.t_id, t.lease_id or "", Outcome(TaskStatus.COMPLETED)) for t in claimed]
    results = store.finish_many(ends)
    assert [r.t_id if r else None for r in results] == [t.t_id for t in claimed]
    assert all(r is not None and r.status is TaskStatus.COMPLETED for r in results)
    assert store.counts().by_status[TaskStatus.COMPLETED] == 1_200


def test_renewing_leases_while_finishing_in_batches_never_deadlocks(store: TaskStore) -> None:
    added(store, 400)
    claimed = store.claim(400, 30)
    leases = {t.t_id: t.lease_id or "" for t in claimed}
    errors: list[BaseException] = []
    finished = threading.Event()

    def renew_all() -> None:
        try:
            while not finished.is_set():
                store.renew(leases, 30)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    renewer = threading.Thread(target=renew_all)
    renewer.start()
    try:
        newest_first = sorted(claimed, key=lambda t: t.t_id, reverse=True)
        for start in range(0, len(newest_first), 40):
            chunk = newest_first[start : start + 40]
            ends = [
                AttemptEnd(t.t_id, t.lease_id or "", Outcome(TaskStatus.COMPLETED)) for t in chunk
            ]
            assert all(store.finish_many(ends))
    finally:
        finished.set()
        renewer.join()
    assert errors == []
    assert store.counts().by_status[TaskStatus.COMPLETED] == 400
