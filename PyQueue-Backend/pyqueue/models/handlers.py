"""Task handlers: a registry keyed by task type, the ``@task`` decorator and ``TaskContext``.

A handler is a callable ``handler(payload, ctx) -> result``, or an ``async def`` one (its
coroutine runs on an event loop in the worker thread). Its JSON-serialisable return value becomes
the task's ``result``; an exception fails the attempt (and may be retried); it should call
``ctx.sleep`` (``await ctx.asleep`` when async) or check ``ctx.cancelled`` so that cancellation
stops it promptly.

Register your own in a module named in ``PYQUEUE_TASK_MODULES``::

    from pyqueue import task

    @task("INVOICE", description="Render and mail an invoice")
    def invoice(payload, ctx):
        ...
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import math
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pyqueue.errors import ConfigurationError, UnknownTaskType
from pyqueue.models.schedule import ScheduleSpec

logger = logging.getLogger("pyqueue.handlers")


MAX_TYPE_LENGTH = 64
"""The longest task type name (handlers are registered, and tasks filtered, by it)."""

MAX_TIMEOUT_SECONDS = 7 * 24 * 3600
"""The longest execution timeout (seconds) of one attempt."""


class TaskCancelled(Exception):
    """Raised inside a handler when its task's cancellation was requested."""


CancelReason = Literal["cancelled", "deleted", "shutdown", "lease lost", "timeout"]
"""Why a running attempt is asked to stop."""

PROGRESS_INTERVAL = 0.5
"""Seconds between two progress reports of one attempt that are stored (1.0 always is)."""
MAX_PROGRESS_MESSAGE = 500
"""The longest progress message kept (a longer one is cut)."""

_clock = time.monotonic
"""What progress throttling measures time with (a test may replace it)."""

ProgressSink = Callable[[float, str | None], None]
"""Where a context sends the progress it stores (the worker pool: to the store, fenced)."""

_CANCEL_LOCK = threading.Lock()
"""Orders a context's cancellation against the lazy creation of its event (both rare)."""


@dataclass(slots=True)
class TaskContext:
    """What a handler knows about the attempt it runs, and how it learns that it must stop."""

    task_id: str
    attempt: int
    max_retries: int
    cancel_reason: CancelReason | None = None
    """The first reason this attempt was asked to stop, if it was."""
    timeout_seconds: float | None = None
    """How long this attempt may run; then it is cancelled (reason ``"timeout"``)."""
    progress_sink: ProgressSink | None = None
    _last_progress: float = field(default=-math.inf, init=False, repr=False)
    # Made when first needed (a sleep, a cancel callback): most attempts never wait or get
    # cancelled, and a threading.Event (a Condition and a lock) per attempt was a measurable part
    # of a no-op task's cost. ``_cancelled`` is what the checks read.
    _cancelled: bool = field(default=False, init=False, repr=False)
    _event: threading.Event | None = field(default=None, init=False, repr=False)
    _on_cancel: list[Callable[[], None]] | None = field(default=None, init=False, repr=False)

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Report how far the attempt is, 0.0 to 1.0, with an optional message.

        Throttled: at most one report each :data:`PROGRESS_INTERVAL` seconds is stored (others
        are dropped), and always 1.0. Raises ``ValueError`` for a fraction out of range."""
        if isinstance(fraction, bool) or not isinstance(fraction, int | float):
            raise ValueError(f"progress must be a number from 0.0 to 1.0, not {fraction!r}")
        if not 0.0 <= fraction <= 1.0:  # NaN fails this too
            raise ValueError(f"progress must be from 0.0 to 1.0, not {fraction!r}")
        if message is not None and not isinstance(message, str):
            raise ValueError("a progress message must be a string")
        now = _clock()
        if fraction < 1.0 and now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        if self.progress_sink is not None:
            text = None if message is None else message[:MAX_PROGRESS_MESSAGE]
            self.progress_sink(float(fraction), text)

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def cancel_event(self) -> threading.Event:
        """Set once this attempt is asked to stop (made on first use)."""
        event = self._event
        if event is None:
            with _CANCEL_LOCK:
                event = self._event
                if event is None:
                    event = self._event = threading.Event()
                    if self._cancelled:
                        event.set()
        return event

    def cancel(self, reason: CancelReason) -> None:
        """Ask the handler to stop (its next ``sleep`` or ``raise_if_cancelled`` raises; an async
        handler's coroutine is cancelled where it awaits)."""
        with _CANCEL_LOCK:
            if self.cancel_reason is None:
                self.cancel_reason = reason
            self._cancelled = True
            event = self._event
            callbacks = list(self._on_cancel or ())
        if event is not None:
            event.set()
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (from the cancelling thread) when this attempt is asked to stop;
        returns the undo. Used to cancel an async handler's coroutine."""
        with _CANCEL_LOCK:
            if self._on_cancel is None:
                self._on_cancel = []
            self._on_cancel.append(callback)

        def undo() -> None:
            with _CANCEL_LOCK:
                if self._on_cancel is not None and callback in self._on_cancel:
                    self._on_cancel.remove(callback)

        return undo

    async def asleep(self, seconds: float) -> None:
        """``sleep`` for async handlers: wait ``seconds`` unless cancelled first (then raise
        :class:`TaskCancelled`, or the coroutine is cancelled where it awaits)."""
        self.raise_if_cancelled()
        if seconds > 0:
            await asyncio.sleep(seconds)
        self.raise_if_cancelled()

    def raise_if_cancelled(self) -> None:
        if self._cancelled:
            if self.cancel_reason == "timeout":
                raise TaskCancelled(
                    f"Task {self.task_id} timed out after {self.timeout_seconds:g} s"
                )
            raise TaskCancelled(f"Task {self.task_id} was cancelled")

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` unless cancelled first (then raise :class:`TaskCancelled`)."""
        if seconds > 0:
            self.cancel_event.wait(seconds)
        self.raise_if_cancelled()


Handler = Callable[[Any, TaskContext], Any]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    name: str
    func: Handler
    description: str
    timeout: float | None = None
    """The type's default execution timeout in seconds (a task's own ``timeout_seconds`` wins)."""
    schedule: ScheduleSpec | None = None
    """A periodic schedule declared with ``@task(..., schedule="cron")`` (see models/schedule)."""


class HandlerRegistry:
    """Task type name → handler. Names are case-sensitive; lookup also accepts a unique
    case-insensitive match so that ``email`` finds ``EMAIL``."""

    def __init__(self) -> None:
        self._specs: dict[str, HandlerSpec] = {}
        self._folded: dict[str, str] = {}

    def register(
        self,
        name: str,
        *,
        description: str = "",
        timeout: float | None = None,
        schedule: str | None = None,
        schedule_timezone: str = "UTC",
        schedule_payload: dict[str, Any] | None = None,
    ) -> Callable[[Handler], Handler]:
        """``@task(name, description=..., timeout=seconds)``: ``timeout`` is the type's default
        execution timeout (see ``timeout_seconds`` on enqueue). ``schedule`` (a cron expression,
        in ``schedule_timezone``, IANA) also enqueues the type at every tick, with
        ``schedule_payload``: the schedule ``code:<name>``, declared at start-up."""
        declared = (
            None
            if schedule is None
            else ScheduleSpec.declare(name, schedule, schedule_timezone, schedule_payload)
        )

        def decorator(func: Handler) -> Handler:
            text = description or (func.__doc__ or "").strip().split("\n")[0]
            self.add(name, func, text, timeout=timeout, schedule=declared)
            return func

        return decorator

    def add(
        self,
        name: str,
        func: Handler,
        description: str = "",
        *,
        timeout: float | None = None,
        schedule: ScheduleSpec | None = None,
    ) -> None:
        if not name or len(name) > MAX_TYPE_LENGTH:
            raise ConfigurationError(
                f"Task type name must be 1-{MAX_TYPE_LENGTH} characters: {name!r}"
            )
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= MAX_TIMEOUT_SECONDS
        ):
            raise ConfigurationError(
                f"Task type {name}: timeout must be a number of seconds, more than 0 and at "
                f"most {MAX_TIMEOUT_SECONDS}: {timeout!r}"
            )
        self._specs[name] = HandlerSpec(name, func, description, timeout, schedule)
        self._folded[name.casefold()] = name

    def resolve(self, name: str) -> str:
        """The registered name for ``name``, or :class:`UnknownTaskType`."""
        if name in self._specs:
            return name
        folded = self._folded.get(name.casefold())
        if folded is None:
            raise UnknownTaskType(name, self._specs)
        return folded

    def get(self, name: str) -> HandlerSpec:
        """The handler of ``name``, or :class:`UnknownTaskType`."""
        return self._specs[self.resolve(name)]

    def specs(self) -> list[HandlerSpec]:
        return list(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def copy(self) -> HandlerRegistry:
        clone = HandlerRegistry()
        clone._specs = dict(self._specs)
        clone._folded = dict(self._folded)
        return clone


registry = HandlerRegistry()
"""The process-wide registry that ``@task`` adds to; each Queue takes a copy at start-up."""

task = registry.register


def search_working_directory() -> None:
    """Put the working directory first on ``sys.path`` (once), as uvicorn's ``--app-dir .``."""
    cwd = os.getcwd()
    if not sys.path or sys.path[0] not in (cwd, ""):
        if cwd in sys.path:
            sys.path.remove(cwd)
        sys.path.insert(0, cwd)
        importlib.invalidate_caches()


def import_task_modules(modules: Iterable[str]) -> None:
    """Import the modules named in ``PYQUEUE_TASK_MODULES`` so their ``@task`` handlers register.

    They are found from the working directory first, as ``uvicorn main:app`` finds ``main``
    (``pyqueue serve`` and ``pyqueue worker`` run from an installed script, whose own folder is
    all Python would search). A module that cannot be found, or that raises while it imports, is
    one :class:`ConfigurationError` that says which and where."""
    modules = list(modules)
    if modules:
        search_working_directory()
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigurationError(
                f"PYQUEUE_TASK_MODULES: cannot import {name!r}: {exc}"
            ) from exc
        except Exception as exc:  # the module itself raised while importing: say where
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            raise ConfigurationError(
                f"PYQUEUE_TASK_MODULES: importing {name!r} failed: {type(exc).__name__}: {exc} "
                f"({frame.filename}, line {frame.lineno})"
            ) from exc
        logger.info("Loaded task module %s", name)
