"""Uniqueness is atomic: threads and processes racing one idempotency key create one task.

A unique index decides (INSERT ... ON CONFLICT DO NOTHING, then read), never a read first, so
whoever loses the race gets the winner's task back."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import pytest

from pyqueue.models.task import Task
from pyqueue.stores import TaskStore, open_store
from tests.stores.factory import drop_schema, require_postgres, store_url

RACERS = 4
ROUNDS = 20


def _race(url: str, start: EventType, results: Any) -> None:
    """One process: open the store, wait for the start, then add each round's key once."""
    store = open_store(url)
    try:
        start.wait(60)
        ids = []
        for round_ in range(ROUNDS):
            task = Task.create("EMAIL", {"round": round_}, 3, idempotency_key=f"key-{round_}")
            ids.append(store.add([task])[0].t_id)
        results.put(ids)
    finally:
        store.close()


def test_threads_racing_one_key_create_one_task(store: TaskStore) -> None:
    barrier = threading.Barrier(RACERS)
    found: list[list[str]] = []

    def racer() -> None:
        barrier.wait(30)
        ids = []
        for round_ in range(ROUNDS):
            task = Task.create("EMAIL", {}, 3, idempotency_key=f"key-{round_}")
            ids.append(store.add([task])[0].t_id)
        found.append(ids)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(found) == RACERS
    assert all(ids == found[0] for ids in found)  # every racer got the one task of each key
    assert store.counts().total == ROUNDS


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
)
def test_processes_racing_one_key_create_one_task(
    kind: str, tmp_path: Path, postgres_ready: bool
) -> None:
    if kind == "postgres":
        require_postgres(postgres_ready)
    url = store_url(kind, tmp_path)
    open_store(url).close()  # create the schema before the race
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes = [context.Process(target=_race, args=(url, start, results)) for _ in range(RACERS)]
    try:
        for process in processes:
            process.start()
        start.set()
        found = [results.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(30)
            assert process.exitcode == 0
        assert all(ids == found[0] for ids in found)
        assert len(set(found[0])) == ROUNDS
        store = open_store(url)
        try:
            assert store.counts().total == ROUNDS
        finally:
            store.close()
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
        if kind == "postgres":
            drop_schema()
