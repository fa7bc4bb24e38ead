"""Where the parts are wired together: ``build_queue(settings)`` and ``create_app(settings)``.

``app`` is what ``uvicorn main:app`` serves (built on first access, so importing this module reads
no settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from pyqueue.api import (
    control,
    errors,
    failures,
    metrics,
    operations,
    producer,
    schedules,
)
from pyqueue.api.audit import AuditRecorder
from pyqueue.api.csrf import CrossSiteGuard
from pyqueue.api.fastpath import BatchEnqueueRoute, EnqueueRoute
from pyqueue.api.headers import SecurityHeaders
from pyqueue.api.limits import BodySizeLimit
from pyqueue.api.metrics import HttpMetrics, Metrics
from pyqueue.api.pages import DashboardMount, install_docs
from pyqueue.config import Settings
from pyqueue.logs import setup_logging
from pyqueue.models.demo import DemoHandlers
from pyqueue.models.handlers import import_task_modules, registry
from pyqueue.schemas.task import MAX_BATCH
from pyqueue.stores import open_store
from pyqueue.system.events import EventBus
from pyqueue.system.queue import Queue, QueueConfig
from pyqueue.system.worker import worker_factory
from pyqueue.version import __version__

logger = logging.getLogger("pyqueue.app")

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def build_queue(settings: Settings, events: EventBus | None = None) -> Queue:
    """The Queue for these settings: its store, the demo and custom handlers, the worker factory;
    ``events``: its event bus (default: a new one that keeps a replay history)."""
    import_task_modules(settings.task_modules)
    handlers = registry.copy()
    DemoHandlers(settings.demo_time_scale, settings.demo_seed).register_into(handlers)
    for spec in registry.specs():  # custom handlers win over demo ones of the same name
        handlers.add(
            spec.name, spec.func, spec.description, timeout=spec.timeout, schedule=spec.schedule
        )
    store = open_store(settings.database_url, settings.db_pool_size)
    return Queue(store, worker_factory, handlers, QueueConfig.from_settings(settings), events)


def stop_queue(queue: Queue, timeout: float) -> None:
    """Stop ``queue`` (it says what it waits for) and close its store."""
    queue.stop(timeout)
    queue.close()


def end_streams_on_signal(queue: Queue) -> Callable[[], None]:
    """On SIGTERM/SIGINT, end the open event streams, then let the server's own handler run.

    A server (uvicorn) stops listening, then waits for open connections to close before the
    lifespan shutdown stops the queue; an event stream never closes by itself, so one open
    dashboard would hold a graceful stop until the supervisor's SIGKILL. Installed from the
    lifespan, so after the server's own handlers (``pyqueue serve`` and ``uvicorn main:app``
    alike), and only on the main thread, where signal handlers live. Returns the undo.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in HANDLED_SIGNALS}

    def handle(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: nothing streams any more
            loop.call_soon_threadsafe(queue.close_streams)  # no lock taken inside a handler
        chained = previous[signum]
        if callable(chained):
            chained(signum, frame)
        elif chained == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    installed = [sig for sig, handler in previous.items() if handler is not None]
    for sig in installed:
        signal.signal(sig, handle)

    def restore() -> None:
        for sig in installed:
            if signal.getsignal(sig) is handle:
                signal.signal(sig, previous[sig])

    return restore


def create_app(settings: Settings | None = None, queue: Queue | None = None) -> FastAPI:
    """The app; its lifespan starts ``queue`` (by default one built from ``settings`` at start-up,
    ``pyqueue serve`` builds it before it listens) and stops it at shutdown."""
    settings = settings or Settings()
    setup_logging(settings.log_level, secrets=[settings.api_token, settings.readonly_token])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        running = queue if queue is not None else build_queue(settings)
        app.state.queue = running
        running.observers.add(app.state.metrics)
        running.start()
        restore_signals = end_streams_on_signal(running)
        try:
            yield
        finally:
            restore_signals()
            stop_queue(running, settings.shutdown_timeout)
            running.observers.remove(app.state.metrics)

    app = FastAPI(
        title="PyQueue",
        version=__version__,
        summary="A durable job queue with a REST API and a live dashboard",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs from local assets
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = Metrics(lambda: getattr(app.state, "queue", None))
    errors.install(app)
    app.include_router(operations.public)
    app.include_router(operations.router)
    app.include_router(metrics.router)
    app.include_router(producer.public)
    app.include_router(producer.router)
    app.include_router(control.router)
    app.include_router(schedules.router)
    app.include_router(failures.router)
    install_docs(app)
    # the plain enqueues, ahead of FastAPI's routes
    app.router.routes[0:0] = [EnqueueRoute(), BatchEnqueueRoute()]
    # Outermost last: the request metrics and security headers on every answer, CORS headers on
    # every answer (also the guards'), then the body size, then the cross-site guard (Origin,
    # Content-Type) of the mutating API routes; innermost, the audit log of the changes made.
    app.add_middleware(AuditRecorder)
    app.add_middleware(CrossSiteGuard, allowed_origins=settings.frontend_origin)
    body_limit = max(settings.max_payload_bytes * 2, settings.max_payload_bytes + 64 * MAX_BATCH)
    app.add_middleware(BodySizeLimit, max_bytes=body_limit * 2)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.frontend_origin,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Total-Count", "X-Next-Cursor", "Location"],
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HttpMetrics, metrics=app.state.metrics)
    if settings.static_dir is not None and (settings.static_dir / "index.html").is_file():
        app.router.routes.append(DashboardMount(settings.static_dir))
    return app


def __getattr__(name: str) -> FastAPI:
    """``app`` is built on first access, so importing this module reads no settings."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
