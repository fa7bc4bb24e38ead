"""The event bus: every task state change, numbered, for the SSE stream and other listeners.

Publishing is cheap and never blocks a worker: subscribers get events through a bounded buffer and
an asyncio wake-up. Changes made by other processes sharing the database arrive through
``publish_foreign`` (the Queue's relay), which drops versions this process already published. A
subscriber that resumes from an id this process no longer remembers receives one ``resync`` event
telling it to reload instead of a partial history.

What waits for a subscriber to read is delivered in order while it is little. Once
:data:`COALESCE_AFTER` events wait, they are *coalesced*: per task only its newest event is kept (a
client applies each task's latest state, so older versions add nothing), and a ``cleared`` or
``resync`` supersedes everything that waited before it. A buffer therefore grows with the number
of distinct tasks that changed since the last read, not with the number of changes: a reader is
told to ``resync`` (and its buffer dropped) only when more than :data:`BUFFER_LIMIT` different
tasks changed between two of its reads, and a buffer never holds more than :data:`MAX_PENDING`
events. The history kept for ``Last-Event-ID`` replay is not coalesced.

:meth:`EventBus.close` ends every stream (the server is shutting down), so an open dashboard never
holds a graceful stop up.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Literal, NamedTuple

from pyqueue.models.task import Task

_SEEN_LIMIT = 100_000
"""How many task versions the bus remembers to drop duplicates relayed from the database."""

COALESCE_AFTER = 1_000
"""How many events may wait for a subscriber before they are coalesced to each task's latest."""

BUFFER_LIMIT = 10_000
"""How many distinct tasks' changes may wait for one subscriber before it is told to resync."""

MAX_PENDING = 2 * BUFFER_LIMIT
"""The most events that ever wait for one subscriber (coalescing runs before it is reached)."""

EventKind = Literal["updated", "deleted", "cleared", "resync"]


class Event(NamedTuple):
    """One change, numbered. A named tuple rather than a frozen dataclass: the bus makes two for
    every task run (its start and its end), and a tuple is made in half the time."""

    seq: int
    kind: EventKind
    task: Task | None = None
    task_id: str | None = None


def _key(event: Event) -> str | None:
    """What an event supersedes: the same task's earlier events, or (None) everything before it."""
    return event.task_id if event.kind in ("updated", "deleted") else None


class Subscription:
    """One listener's buffer, filled from any thread, read from one event loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        capacity: int = BUFFER_LIMIT,
        coalesce_after: int = COALESCE_AFTER,
    ) -> None:
        self._loop = loop
        self._capacity = capacity
        self._coalesce_after = min(coalesce_after, capacity)
        self._compact_at = self._coalesce_after
        self._pending: list[Event] = []  # in push order (by seq, unless two publishers raced)
        self._floor = 0  # events older than the last cleared/resync are superseded
        self._lock = threading.Lock()
        self._ready = asyncio.Event()
        self._signalled = False
        self._overflow = False
        self.closed = False

    @property
    def pending(self) -> int:
        """How many events wait to be read (never more than ``2 * capacity``)."""
        return len(self._pending)

    def push(self, event: Event) -> None:
        with self._lock:
            if self.closed or self._overflow or event.seq < self._floor:
                return  # closed, already to resync, or superseded by a clear
            if _key(event) is None:  # cleared / resync: the reader reloads everything
                self._floor = event.seq
                if len(self._pending) >= self._coalesce_after:  # a backlog: drop it at once
                    self._pending = [e for e in self._pending if e.seq > event.seq]
            self._pending.append(event)
            if len(self._pending) >= self._compact_at:
                self._coalesce()
            wake, self._signalled = not self._signalled, True
        if wake:
            self._wake()

    def _coalesce(self) -> None:
        """Keep each task's newest event; too many distinct tasks: drop all, the reader resyncs."""
        latest: dict[str | None, Event] = {}
        for event in self._pending:
            if event.seq < self._floor:
                continue  # before the newest cleared/resync
            key = _key(event)
            current = latest.get(key)
            if current is None or current.seq < event.seq:
                latest[key] = event
        if len(latest) > self._capacity:
            self._overflow = True  # far behind: keep nothing more until it reads
            self._pending = []
        else:
            self._pending = sorted(latest.values(), key=lambda e: e.seq)
        # Amortised: the next pass comes after as many pushes again as what was kept.
        self._compact_at = min(
            max(self._coalesce_after, 2 * len(self._pending)), 2 * self._capacity
        )

    def drain(self) -> tuple[list[Event], bool]:
        """What is waiting (oldest first), and whether some of it was dropped (resync)."""
        with self._lock:
            events, overflow = self._pending, self._overflow
            self._pending = []
            self._compact_at = self._coalesce_after
            self._overflow = False
            self._signalled = False
            self._ready.clear()
        events.sort(key=lambda e: e.seq)  # already in order unless two publishers raced
        return events, overflow

    def close(self) -> None:
        """End the stream that reads this subscription (from any thread)."""
        with self._lock:
            self.closed = True
            self._pending = []
        self._wake()

    async def wait(self, timeout: float) -> bool:
        """Wait for something to read (or :meth:`close`); False when ``timeout`` passed first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout)
            return True
        return False

    def _wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop already closed: nobody is waiting
            self._loop.call_soon_threadsafe(self._ready.set)


class EventBus:
    def __init__(self, history: int = 10_000) -> None:
        """``history``: events kept for ``Last-Event-ID`` replay. With 0 (a worker process, which
        has no event stream), an event nobody subscribes to is not even made."""
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._waiting = 0  # threads in wait_after: a publish notifies only when there are some
        self._seq = 0
        self._keeps = history > 0
        self._history: deque[Event] = deque(maxlen=history)
        self._subscribers: set[Subscription] = set()
        self._seen: dict[str, datetime] = {}
        self._tracking = False  # see track_versions
        self._closed = False

    @property
    def last_seq(self) -> int:
        return self._seq

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def track_versions(self) -> None:
        """From now on, remember the version of each task published, so that
        :meth:`publish_foreign` drops what this process published already. The Queue calls it
        when it starts a relay (its store has a change feed); without one, a map of up to
        100,000 task versions, written at each start and end of an attempt, serves nobody."""
        self._tracking = True

    @property
    def tracks_versions(self) -> bool:
        return self._tracking

    @property
    def wants_tasks(self) -> bool:
        """Whether a published task goes anywhere: into the replay history or to a subscriber."""
        return self._keeps or bool(self._subscribers)

    def publish(
        self, kind: EventKind, task: Task | None = None, task_id: str | None = None
    ) -> None:
        if not self.wants_tasks:
            return
        with self._lock:
            if task is not None and self._tracking:
                self._see(task)
            self._seq += 1
            event = Event(self._seq, kind, task, task_id or (task.t_id if task else None))
            self._history.append(event)
            subscribers = tuple(self._subscribers)
            if self._waiting:
                self._changed.notify_all()
        for subscription in subscribers:
            subscription.push(event)

    def publish_updated(self, tasks: Iterable[Task]) -> None:
        """An ``updated`` event for each task, in order, under one lock (a batch enqueued, claimed
        or ended): the events that :meth:`publish` would make one by one."""
        if not (self._keeps or self._subscribers):  # wants_tasks, without a call
            return
        batch = tasks if isinstance(tasks, list) else list(tasks)
        if not batch:
            return
        with self._lock:
            seq = self._seq
            events = [Event(seq + n, "updated", task, task.t_id) for n, task in enumerate(batch, 1)]
            if self._tracking:
                seen = self._seen
                if len(seen) + len(batch) > _SEEN_LIMIT:
                    seen.clear()
                for task in batch:
                    seen[task.t_id] = task.updated_at
            self._seq = seq + len(batch)
            self._history.extend(events)
            subscribers = tuple(self._subscribers)
            if self._waiting:
                self._changed.notify_all()
        for subscription in subscribers:
            for event in events:
                subscription.push(event)

    def _see(self, task: Task) -> None:
        """Remember the version of ``task`` published last (caller holds the lock)."""
        if len(self._seen) >= _SEEN_LIMIT:
            self._seen.clear()
        self._seen[task.t_id] = task.updated_at

    def publish_foreign(self, task: Task) -> bool:
        """Publish a change made by another process, unless this version was already published
        (see :meth:`track_versions`)."""
        with self._lock:
            seen = self._seen.get(task.t_id)
            if seen is not None and seen >= task.updated_at:
                return False
        self.publish("updated", task)
        return True

    def wait_after(self, seq: int, timeout: float) -> int:
        """Block until an event newer than ``seq`` is published (or ``timeout``); the last seq."""
        with self._lock:
            self._waiting += 1
            try:
                self._changed.wait_for(lambda: self._seq > seq, timeout)
            finally:
                self._waiting -= 1
            return self._seq

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """End every stream, now and for streams opened later (the server is shutting down).

        Safe from any thread; publishing goes on (for other listeners such as ``wait_after``)."""
        with self._lock:
            self._closed = True
            subscribers = tuple(self._subscribers)
        for subscription in subscribers:
            subscription.close()

    def subscribe(
        self,
        capacity: int = BUFFER_LIMIT,
        loop: asyncio.AbstractEventLoop | None = None,
        coalesce_after: int = COALESCE_AFTER,
    ) -> Subscription:
        subscription = Subscription(loop or asyncio.get_running_loop(), capacity, coalesce_after)
        with self._lock:
            if self._closed:
                subscription.closed = True
            else:
                self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def since(self, last_seq: int) -> list[Event] | None:
        """Events after ``last_seq``, or ``None`` when they are no longer all remembered."""
        with self._lock:
            if last_seq > self._seq:
                return None  # an id from an earlier life of this process
            if last_seq == self._seq:
                return []
            if not self._history or self._history[0].seq > last_seq + 1:
                return None
            return [e for e in self._history if e.seq > last_seq]

    async def stream(
        self, last_seq: int | None, *, heartbeat: float = 15.0
    ) -> AsyncIterator[Event | None]:
        """Replay from ``last_seq`` then follow live; yields ``None`` as a keep-alive.

        Ends when the bus is closed."""
        subscription = self.subscribe()
        sent = 0  # events this stream already delivered (replay and live may overlap)
        try:
            if subscription.closed:
                return
            if last_seq is not None:
                missed = self.since(last_seq)
                if missed is None:
                    yield Event(self._seq, "resync")
                else:
                    for event in missed:
                        yield event
                    sent = missed[-1].seq if missed else last_seq
            while not subscription.closed:
                woken = await subscription.wait(heartbeat)
                if subscription.closed:
                    return
                events, overflow = subscription.drain()
                if overflow:
                    yield Event(self._seq, "resync")
                    continue
                if not events and not woken:
                    yield None
                for event in events:
                    if event.seq > sent:
                        yield event
        finally:
            self.unsubscribe(subscription)
