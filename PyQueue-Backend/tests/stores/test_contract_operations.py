"""Contract: the audit log, the readiness probe, counts by (status, type) and the oldest QUEUED
task of each type behave alike in every store (what /api/audit, /api/ready and /metrics read)."""

from __future__ import annotations

from datetime import timedelta

from pyqueue.enums import TaskStatus
from pyqueue.models.audit import MAX_TARGET, AuditEntry
from pyqueue.models.task import Task, utcnow
from pyqueue.stores import TaskStore
from tests.stores.helpers import added, claim_one, retry_in, run_to


def _entry(action: str, count: int = 1, target: str = "Task-X") -> AuditEntry:
    return AuditEntry(utcnow(), "admin", "10.0.0.7", action, target, count)


def test_the_audit_log_pages_newest_first_with_every_field(store: TaskStore) -> None:
    assert store.audit_page(10, 0) == ([], 0)
    written = [store.record_audit(_entry(f"action-{i}", count=i)) for i in range(5)]
    ids = [e.id or 0 for e in written]
    assert ids == sorted(set(ids)) and 0 not in ids  # increasing, unique
    page, total = store.audit_page(2, 0)
    assert total == 5
    assert [e.action for e in page] == ["action-4", "action-3"]
    assert page[0] == written[4]
    assert page[0].at.utcoffset() is not None
    rest, _ = store.audit_page(10, 2)
    assert [e.action for e in rest] == ["action-2", "action-1", "action-0"]
    assert store.audit_page(10, 5) == ([], 5)
    first = rest[-1]
    assert (first.role, first.client, first.target, first.count) == (
        "admin",
        "10.0.0.7",
        "Task-X",
        0,
    )


def test_a_long_audit_target_is_cut(store: TaskStore) -> None:
    store.record_audit(_entry("bulk-delete", 1000, " ".join(["Task-" + "0" * 26] * 1000)))
    page, _ = store.audit_page(1, 0)
    assert len(page[0].target) == MAX_TARGET
    assert page[0].target.endswith("…")
    assert page[0].count == 1000


def test_the_probe_writes_and_creates_no_task(store: TaskStore) -> None:
    store.probe()
    store.probe()
    assert store.counts().total == 0


def test_counts_by_status_and_type(store: TaskStore) -> None:
    added(store, 3, "EMAIL")
    added(store, 2, "REPORT")
    run_to(store, TaskStatus.COMPLETED)  # the oldest EMAIL
    pairs = store.counts().by_status_type
    assert pairs == {
        (TaskStatus.QUEUED, "EMAIL"): 2,
        (TaskStatus.COMPLETED, "EMAIL"): 1,
        (TaskStatus.QUEUED, "REPORT"): 2,
    }


def test_oldest_queued_is_when_each_types_first_task_became_due(store: TaskStore) -> None:
    assert store.oldest_queued() == {}
    emails = added(store, 3, "EMAIL")
    reports = added(store, 1, "REPORT")
    later = Task.create("SLOW", 1, 3, run_at=utcnow() + timedelta(hours=1))
    store.add([later])
    oldest = store.oldest_queued()
    assert oldest["EMAIL"] == emails[0].created_at
    assert oldest["REPORT"] == reports[0].created_at
    assert oldest["SLOW"] == later.next_run_at  # not due yet: in the future
    # the first EMAIL runs and waits for a retry in an hour: the second is now the oldest due one
    task = claim_one(store)
    assert task.t_id == emails[0].t_id
    assert task.lease_id is not None
    store.finish(task.t_id, task.lease_id, retry_in(3600))
    assert store.oldest_queued()["EMAIL"] == emails[1].created_at
    for task in [*emails[1:], *reports]:
        store.request_cancel(task.t_id)
    assert set(store.oldest_queued()) == {"EMAIL", "SLOW"}  # EMAIL: its retry, an hour away
