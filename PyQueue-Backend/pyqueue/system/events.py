"""The event bus: every task state change, numbered, for the SSE stream and other listeners.

Publishing is cheap and never blocks a worker: subscribers get events through a bounded buffer and
an asyncio wake-up. Changes made by other processes sharing the database arrive through
``publish_foreign`` (the Queue's relay), which drops versions this process already published. A
subscriber that falls behind, or resumes from an id this process no longer remembers, receives one
``resync`` event telling it to reload instead of a partial history.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pyqueue.models.task import Task

_SEEN_LIMIT = 100_000
"""How many task versions the bus remembers to drop duplicates relayed from the database."""

EventKind = Literal["updated", "deleted", "cleared", "resync"]


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    kind: EventKind
    task: Task | None = None
    task_id: str | None = None


class Subscription:
    """One listener's buffer, filled from any thread, read from one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int) -> None:
        self._loop = loop
        self._capacity = capacity
        self._buffer: deque[Event] = deque()
        self._lock = threading.Lock()
        self._ready = asyncio.Event()
        self._overflow = False
        self.closed = False

    def push(self, event: Event) -> None:
        with self._lock:
            if len(self._buffer) >= self._capacity:
                self._overflow = True
                self._buffer.clear()
            self._buffer.append(event)
            first = len(self._buffer) == 1
        if first:
            self._loop.call_soon_threadsafe(self._ready.set)

    def drain(self) -> tuple[list[Event], bool]:
        """What arrived since the last drain, and whether some of it was dropped."""
        with self._lock:
            events, overflow = list(self._buffer), self._overflow
            self._buffer.clear()
            self._overflow = False
            self._ready.clear()
        return events, overflow

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout)


class EventBus:
    def __init__(self, history: int = 10_000) -> None:
        self._lock = threading.Condition()
        self._seq = 0
        self._history: deque[Event] = deque(maxlen=history)
        self._subscribers: set[Subscription] = set()
        self._seen: dict[str, datetime] = {}

    @property
    def last_seq(self) -> int:
        return self._seq

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(
        self, kind: EventKind, task: Task | None = None, task_id: str | None = None
    ) -> None:
        with self._lock:
            if task is not None:
                if len(self._seen) >= _SEEN_LIMIT:
                    self._seen.clear()
                self._seen[task.t_id] = task.updated_at
            self._seq += 1
            event = Event(self._seq, kind, task, task_id or (task.t_id if task else None))
            self._history.append(event)
            subscribers = tuple(self._subscribers)
            self._lock.notify_all()
        for subscription in subscribers:
            subscription.push(event)

    def publish_foreign(self, task: Task) -> bool:
        """Publish a change made by another process, unless this version was already published."""
        with self._lock:
            seen = self._seen.get(task.t_id)
            if seen is not None and seen >= task.updated_at:
                return False
        self.publish("updated", task)
        return True

    def wait_after(self, seq: int, timeout: float) -> int:
        """Block until an event newer than ``seq`` is published (or ``timeout``); the last seq."""
        with self._lock:
            self._lock.wait_for(lambda: self._seq > seq, timeout)
            return self._seq

    def subscribe(self, capacity: int = 5_000) -> Subscription:
        subscription = Subscription(asyncio.get_running_loop(), capacity)
        with self._lock:
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
        """Replay from ``last_seq`` then follow live; yields ``None`` as a keep-alive."""
        subscription = self.subscribe()
        sent = 0  # events this stream already delivered (replay and live may overlap)
        try:
            if last_seq is not None:
                missed = self.since(last_seq)
                if missed is None:
                    yield Event(self._seq, "resync")
                else:
                    for event in missed:
                        yield event
                    sent = missed[-1].seq if missed else last_seq
            while True:
                await subscription.wait(heartbeat)
                events, overflow = subscription.drain()
                if overflow:
                    yield Event(self._seq, "resync")
                    continue
                if not events:
                    yield None
                for event in events:
                    if event.seq > sent:
                        yield event
        finally:
            self.unsubscribe(subscription)
