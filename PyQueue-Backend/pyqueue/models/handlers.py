"""Task handlers: a registry keyed by task type, the ``@task`` decorator and ``TaskContext``.

A handler is a plain callable ``handler(payload, ctx) -> result``. Its JSON-serialisable return
value becomes the task's ``result``; an exception fails the attempt (and may be retried); it
should call ``ctx.sleep`` or check ``ctx.cancelled`` so that cancellation stops it promptly.

Register your own in a module named in ``PYQUEUE_TASK_MODULES``::

    from pyqueue import task

    @task("INVOICE", description="Render and mail an invoice")
    def invoice(payload, ctx):
        ...
"""

from __future__ import annotations

import importlib
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pyqueue.errors import ConfigurationError, UnknownTaskType

logger = logging.getLogger("pyqueue.handlers")


MAX_TYPE_LENGTH = 64
"""The longest task type name (handlers are registered, and tasks filtered, by it)."""


class TaskCancelled(Exception):
    """Raised inside a handler when its task's cancellation was requested."""


CancelReason = Literal["cancelled", "deleted", "shutdown", "lease lost"]
"""Why a running attempt is asked to stop."""


@dataclass(slots=True)
class TaskContext:
    """What a handler knows about the attempt it runs, and how it learns that it must stop."""

    task_id: str
    attempt: int
    max_retries: int
    cancel_event: threading.Event = field(default_factory=threading.Event)
    cancel_reason: CancelReason | None = None
    """The first reason this attempt was asked to stop, if it was."""

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def cancel(self, reason: CancelReason) -> None:
        """Ask the handler to stop (its next ``sleep`` or ``raise_if_cancelled`` raises)."""
        if self.cancel_reason is None:
            self.cancel_reason = reason
        self.cancel_event.set()

    def raise_if_cancelled(self) -> None:
        if self.cancel_event.is_set():
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


class HandlerRegistry:
    """Task type name → handler. Names are case-sensitive; lookup also accepts a unique
    case-insensitive match so that ``email`` finds ``EMAIL``."""

    def __init__(self) -> None:
        self._specs: dict[str, HandlerSpec] = {}
        self._folded: dict[str, str] = {}

    def register(self, name: str, *, description: str = "") -> Callable[[Handler], Handler]:
        def decorator(func: Handler) -> Handler:
            self.add(name, func, description or (func.__doc__ or "").strip().split("\n")[0])
            return func

        return decorator

    def add(self, name: str, func: Handler, description: str = "") -> None:
        if not name or len(name) > MAX_TYPE_LENGTH:
            raise ConfigurationError(
                f"Task type name must be 1-{MAX_TYPE_LENGTH} characters: {name!r}"
            )
        self._specs[name] = HandlerSpec(name, func, description)
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


def import_task_modules(modules: Iterable[str]) -> None:
    """Import the modules named in ``PYQUEUE_TASK_MODULES`` so their ``@task`` handlers register.

    A module that cannot be found, or that raises while it imports, is one
    :class:`ConfigurationError` that says which and where."""
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
