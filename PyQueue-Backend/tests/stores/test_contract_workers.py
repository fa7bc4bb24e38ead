"""Worker pools reported by processes sharing a store (cluster-wide stats)."""

from __future__ import annotations

from datetime import timedelta

from pyqueue.models.task import utcnow
from pyqueue.models.values import WorkerTotals
from pyqueue.stores import TaskStore


def test_reported_pools_are_summed_leaving_out_the_asker(store: TaskStore) -> None:
    since = utcnow() - timedelta(seconds=5)
    store.report_workers("host-a:1", busy=2, total=8)
    store.report_workers("host-b:2", busy=1, total=4)
    store.report_workers("host-b:2", busy=3, total=4)  # a later heartbeat replaces the report
    assert store.worker_totals(since, exclude="me") == WorkerTotals(2, 5, 12)
    assert store.worker_totals(since, exclude="host-a:1") == WorkerTotals(1, 3, 4)


def test_a_stopped_or_silent_process_no_longer_counts(store: TaskStore) -> None:
    store.report_workers("host-a:1", busy=0, total=8)
    store.report_workers("host-b:2", busy=0, total=4)
    store.report_workers("host-a:1", busy=0, total=0)  # a clean stop withdraws the pool
    assert store.worker_totals(utcnow() - timedelta(seconds=5), "me") == WorkerTotals(1, 0, 4)
    assert store.worker_totals(utcnow() + timedelta(seconds=1), "me") == WorkerTotals()
