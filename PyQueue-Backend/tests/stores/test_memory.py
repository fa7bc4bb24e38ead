"""The memory store's own rules, beside the contract every store keeps."""

from __future__ import annotations

import os

import pytest

from pyqueue.stores.common import LEASE_BATCH
from pyqueue.stores.memory import MemoryStore
from tests.stores.helpers import added


@pytest.mark.parametrize("count", [1, 40, LEASE_BATCH, LEASE_BATCH + 45])
def test_a_claim_reads_the_random_source_without_holding_the_store_lock(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    # os.urandom lets go of the GIL: a thread doing so while holding the lock made the worker
    # threads queue on it (a lock convoy: up to 1.6 context switches a task instead of 0.04)
    store = MemoryStore()
    added(store, count)
    reads: list[bool] = []
    urandom = os.urandom

    def watched(size: int) -> bytes:
        reads.append(store._lock.locked())
        return urandom(size)

    monkeypatch.setattr(os, "urandom", watched)
    claimed = store.claim(count, 30)
    assert len(claimed) == count
    # one read per LEASE_BATCH ids; only a claim larger than that reads again, under the lock
    assert reads == [False] + [True] * ((count - 1) // LEASE_BATCH)
