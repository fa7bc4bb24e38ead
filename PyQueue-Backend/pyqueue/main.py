"""Where the parts are wired together: ``build_queue(settings)`` and ``create_app(settings)``.

``app`` is what ``uvicorn main:app`` serves (built on first access, so importing this module reads
no settings).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from pyqueue.api import errors, producer
from pyqueue.api.limits import BodySizeLimit
from pyqueue.config import Settings
from pyqueue.logs import setup_logging
from pyqueue.models.demo import DemoHandlers
from pyqueue.models.handlers import import_task_modules, registry
from pyqueue.schemas.task import MAX_BATCH
from pyqueue.stores import open_store
from pyqueue.system.queue import Queue, QueueConfig
from pyqueue.system.worker import worker_factory
from pyqueue.version import __version__

logger = logging.getLogger("pyqueue.app")


def build_queue(settings: Settings) -> Queue:
    """The Queue for these settings: its store, the demo and custom handlers, the worker factory."""
    import_task_modules(settings.task_modules)
    handlers = registry.copy()
    DemoHandlers(settings.demo_time_scale, settings.demo_seed).register_into(handlers)
    for spec in registry.specs():  # custom handlers win over demo ones of the same name
        handlers.add(spec.name, spec.func, spec.description)
    store = open_store(settings.database_url, settings.db_pool_size)
    return Queue(store, worker_factory, handlers, QueueConfig.from_settings(settings))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    setup_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue = build_queue(settings)
        app.state.queue = queue
        queue.start()
        try:
            yield
        finally:
            queue.stop(settings.shutdown_timeout)
            queue.close()

    app = FastAPI(
        title="PyQueue",
        version=__version__,
        summary="A durable job queue with a REST API and a live dashboard",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.include_router(producer.public)
    app.include_router(producer.router)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.frontend_origin,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Total-Count", "Location"],
    )
    body_limit = max(settings.max_payload_bytes * 2, settings.max_payload_bytes + 64 * MAX_BATCH)
    app.add_middleware(BodySizeLimit, max_bytes=body_limit * 2)
    if settings.static_dir is not None and (settings.static_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=settings.static_dir, html=True), name="dashboard")
    return app


def __getattr__(name: str) -> FastAPI:
    """``app`` is built on first access, so importing this module reads no settings."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
