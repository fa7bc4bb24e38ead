"""The EventBus under bursts: coalesced per task, bounded when never read, and closable."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from datetime import timedelta

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Task
from pyqueue.models.values import NewTask
from pyqueue.system.events import BUFFER_LIMIT, COALESCE_AFTER, MAX_PENDING, Event, EventBus
from tests.support import MakeQueue

BURST = 6_000


def aclose(stream: AsyncIterator[Event | None]) -> Awaitable[None]:
    assert isinstance(stream, AsyncGenerator)
    return stream.aclose()


def _running(task: Task) -> Task:
    return task.claimed("lease", task.created_at, task.created_at)


def test_a_fast_reader_never_resyncs_under_a_burst_of_6000_tasks(make_queue: MakeQueue) -> None:
    """6,000 tasks enqueued back to back in chunks of 1000 from the event loop (as the API does on
    the memory store), so the reader cannot drain during the burst; meanwhile 8 workers run them
    (QUEUED → INPROGRESS → COMPLETED: 18,000 events). The reader drains all along."""
    queue = make_queue(workers=8)
    latest: dict[str, TaskStatus] = {}
    kinds: list[str] = []
    ids: list[str] = []

    async def follow(stream: AsyncIterator[Event | None]) -> None:
        async for event in stream:
            if event is None:
                continue
            kinds.append(event.kind)
            if event.kind == "resync":
                return
            assert event.task is not None
            latest[event.task.t_id] = event.task.status
            if len(latest) == BURST and set(latest.values()) == {TaskStatus.COMPLETED}:
                return

    async def scenario() -> None:
        stream = queue.stream(None)
        reading = asyncio.ensure_future(follow(stream))
        while not queue.events.subscriber_count:
            await asyncio.sleep(0)
        for _ in range(BURST // 1000):
            ids.extend(
                t.t_id for t in queue.enqueue_many([NewTask("ECHO", i) for i in range(1000)])
            )
        try:
            await asyncio.wait_for(reading, timeout=60)
        finally:
            await aclose(stream)

    asyncio.run(scenario())
    assert "resync" not in kinds
    assert len(ids) == BURST and set(latest) == set(ids)
    assert set(latest.values()) == {TaskStatus.COMPLETED}
    assert all(queue.get(task_id).status is TaskStatus.COMPLETED for task_id in ids)


def test_a_reader_that_never_reads_stays_bounded_and_gets_one_resync() -> None:
    bus = EventBus()

    async def scenario() -> list[Event | None]:
        stream = bus.stream(None, heartbeat=0.05)
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)  # subscribed, waiting: it reads nothing while we publish
        subscription = next(iter(bus._subscribers))
        for i in range(10 * BUFFER_LIMIT // 2):  # 50,000 changes, each to a different task
            bus.publish("updated", Task.create("ECHO", i, 0))
            assert subscription.pending <= MAX_PENDING
        got = [await first]
        got.append(await stream.__anext__())  # nothing more is pending: a keep-alive
        await aclose(stream)
        return got

    events = asyncio.run(scenario())
    assert events[0] is not None and events[0].kind == "resync"
    assert events[0].seq == bus.last_seq
    assert events[1] is None


def test_a_few_waiting_events_are_all_delivered_in_order() -> None:
    bus = EventBus()
    task = Task.create("ECHO", 1, 0)

    async def scenario() -> list[Event]:
        stream = bus.stream(None, heartbeat=0.05)
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)
        bus.publish("updated", task)
        bus.publish("updated", _running(task))
        bus.publish("deleted", task_id=task.t_id)
        got = [await first]
        while len([e for e in got if e is not None]) < 3:
            got.append(await stream.__anext__())
        await aclose(stream)
        return [e for e in got if e is not None]

    events = asyncio.run(scenario())
    assert [(e.seq, e.kind) for e in events] == [(1, "updated"), (2, "updated"), (3, "deleted")]


def test_a_backlog_is_coalesced_to_each_tasks_latest_state() -> None:
    bus = EventBus()
    tasks = [Task.create("ECHO", i, 0) for i in range(COALESCE_AFTER)]
    gone = tasks[0]

    async def scenario() -> list[Event]:
        stream = bus.stream(None, heartbeat=0.05)
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)  # subscribed; reads nothing until every change is published
        for task in tasks:
            bus.publish("updated", task)
        for task in tasks[1:]:
            bus.publish("updated", _running(task))
        bus.publish("deleted", task_id=gone.t_id)
        got = [await first]
        while len([e for e in got if e is not None]) < len(tasks):
            got.append(await stream.__anext__())
        await aclose(stream)
        return [e for e in got if e is not None]

    events = asyncio.run(scenario())
    assert len(events) == len(tasks)
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert {e.task_id for e in events} == {t.t_id for t in tasks}
    assert events[-1].kind == "deleted" and events[-1].task_id == gone.t_id
    assert {e.task.status for e in events[:-1] if e.task} == {TaskStatus.INPROGRESS}
    # The history still has every version, for Last-Event-ID replay.
    assert len(bus.since(0) or []) == 2 * len(tasks)


def test_a_clear_supersedes_a_backlog_waiting_before_it() -> None:
    bus = EventBus()

    async def scenario() -> list[Event]:
        stream = bus.stream(None, heartbeat=0.05)
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)
        for i in range(COALESCE_AFTER):  # a backlog
            bus.publish("updated", Task.create("ECHO", i, 0))
        bus.publish("cleared")
        later = Task.create("ECHO", 2, 0)
        bus.publish("updated", later)
        got = [await first, await stream.__anext__()]
        await aclose(stream)
        return [e for e in got if e is not None]

    events = asyncio.run(scenario())
    first = COALESCE_AFTER + 1
    assert [(e.seq, e.kind) for e in events] == [(first, "cleared"), (first + 1, "updated")]


def test_an_older_version_pushed_late_never_replaces_a_newer_one() -> None:
    """Publishers push outside the bus's lock, so two threads may deliver out of order."""
    loop = asyncio.new_event_loop()
    try:
        bus = EventBus()
        subscription = bus.subscribe(loop=loop, coalesce_after=2)
        task = Task.create("ECHO", 1, 0)
        subscription.push(Event(2, "updated", _running(task), task.t_id))
        subscription.push(Event(1, "updated", task, task.t_id))
        events, overflow = subscription.drain()
    finally:
        loop.close()
    assert not overflow
    assert [(e.seq, e.task.status if e.task else None) for e in events] == [
        (2, TaskStatus.INPROGRESS)
    ]


def test_closing_the_bus_ends_every_stream() -> None:
    bus = EventBus()

    async def scenario() -> list[Event | None]:
        stream = bus.stream(None, heartbeat=60)
        got: list[Event | None] = []

        async def follow() -> None:
            async for event in stream:
                got.append(event)

        following = asyncio.ensure_future(follow())
        await asyncio.sleep(0)
        bus.publish("updated", Task.create("ECHO", 1, 0))
        await asyncio.sleep(0.01)
        threading.Thread(target=bus.close).start()  # e.g. from a signal handler's thread
        await asyncio.wait_for(following, timeout=5)
        late: list[Event | None] = [e async for e in bus.stream(None)]  # opened after close
        return got + late

    events = asyncio.run(scenario())
    assert [e.kind if e else None for e in events] == ["updated"]


def test_a_batch_published_at_once_is_the_events_published_one_by_one() -> None:
    """publish_updated (a batch enqueued, started or ended) makes the events that a publish per
    task makes: the same seqs, kinds and tasks, for a stream, for a replay, and as versions that
    the relay of other processes' changes then drops."""
    tasks = [Task.create("ECHO", i, 0) for i in range(3)]
    one_by_one, batched = EventBus(), EventBus()
    batched.track_versions()  # as a Queue does when it relays a change feed

    def streamed(bus: EventBus, publish: Callable[[], None]) -> list[tuple[int, str, Task | None]]:
        async def scenario() -> list[Event]:
            stream = bus.stream(None, heartbeat=0.05)
            first = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0)
            publish()
            got = [await first]
            while len([e for e in got if e is not None]) < len(tasks) + 1:
                got.append(await stream.__anext__())
            await aclose(stream)
            return [e for e in got if e is not None]

        return [(e.seq, e.kind, e.task) for e in asyncio.run(scenario())]

    def each() -> None:
        one_by_one.publish("deleted", task_id="Task-gone")
        for task in tasks:
            one_by_one.publish("updated", task)

    def batch() -> None:
        batched.publish("deleted", task_id="Task-gone")
        batched.publish_updated(tasks)
        batched.publish_updated([])  # nothing to publish: no event

    expected = streamed(one_by_one, each)
    assert streamed(batched, batch) == expected
    assert [task for _, _, task in expected[1:]] == tasks
    replayed = batched.since(1)
    assert replayed is not None
    assert [(e.seq, e.kind, e.task) for e in replayed] == expected[1:]
    assert batched.last_seq == one_by_one.last_seq == len(tasks) + 1
    assert not batched.publish_foreign(tasks[0])  # this version was published already
    later = tasks[0].created_at + timedelta(seconds=1)
    assert batched.publish_foreign(tasks[0].claimed("lease", later, later))  # a newer one


def test_relayed_versions_are_dropped_only_by_a_bus_that_tracks_them() -> None:
    # Without a relay (the memory store has no change feed) nobody asks which versions were
    # published, and remembering one per start and end of every attempt was work for nobody.
    task = Task.create("ECHO", 1, 0)
    tracking, plain = EventBus(), EventBus()
    tracking.track_versions()
    for bus in (tracking, plain):
        bus.publish_updated([task])
        bus.publish("updated", task)
    assert not tracking.publish_foreign(task)
    assert plain.publish_foreign(task)  # it knows nothing: it publishes what it is given
    assert (tracking.last_seq, plain.last_seq) == (2, 3)


def test_a_bus_without_history_makes_events_only_for_its_subscribers() -> None:
    # A worker process's bus (no event stream, no replay): nothing is made for nobody.
    bus = EventBus(history=0)
    task = Task.create("ECHO", 1, 0)
    bus.publish_updated([task])
    bus.publish("cleared")
    assert bus.last_seq == 0

    async def scenario() -> list[Event]:
        stream = bus.stream(None, heartbeat=0.05)
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)
        bus.publish_updated([_running(task)])
        got = [await first]
        while not [e for e in got if e is not None]:
            got.append(await stream.__anext__())
        await aclose(stream)
        return [e for e in got if e is not None]

    events = asyncio.run(scenario())
    assert [(e.seq, e.kind) for e in events] == [(1, "updated")]
    assert bus.since(0) is None  # nothing kept to replay


def test_wait_after_wakes_at_the_next_event_published_one_way_or_the_other() -> None:
    # A publish notifies only while someone waits (it counts its waiters rather than paying a
    # notify per event): a waiter must still wake at once, long before its 30 s timeout.
    bus = EventBus()
    task = Task.create("ECHO", 1, 0)
    woke: list[int] = []

    def wait(after: int) -> None:
        woke.append(bus.wait_after(after, 30))

    publishers: list[Callable[[], None]] = [
        lambda: bus.publish("updated", task),
        lambda: bus.publish_updated([task]),
    ]
    for publish in publishers:
        before = bus.last_seq
        woke.clear()
        waiter = threading.Thread(target=wait, args=(before,))
        waiter.start()
        while not bus._waiting:  # the waiter is inside wait_after (it sets this under the lock)
            threading.Event().wait(0.001)
        publish()
        waiter.join(5)
        assert not waiter.is_alive() and woke == [before + 1]
