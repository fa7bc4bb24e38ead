"""The ``pyqueue`` command: ``serve`` (API + workers), ``worker`` (no HTTP), ``openapi``, and the
commands that talk to a running server over HTTP (``enqueue``, ``get``, ``jobs``, ``stats``,
``retry``, ``cancel``, ``delete``: :mod:`pyqueue.client.commands`)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import ipaddress
import json
import logging
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pyqueue.client.commands import add_commands
from pyqueue.config import Settings
from pyqueue.errors import ConfigurationError, StoreUnavailable
from pyqueue.stores import url_scheme

if TYPE_CHECKING:
    from pyqueue.system.events import EventBus
    from pyqueue.system.queue import Queue

logger = logging.getLogger("pyqueue.cli")


def describe_settings_error(exc: ValidationError) -> str:
    """One line per bad setting, named as its environment variable."""
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "settings"
        name = "FRONTEND_ORIGIN" if field == "FRONTEND_ORIGIN" else f"PYQUEUE_{field.upper()}"
        lines.append(f"{name}: {error['msg']}")
    return "; ".join(lines)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pyqueue.main import create_app

    settings: Settings = args.settings
    host = args.host or settings.host
    port = args.port or settings.port
    refuse_open(host, settings)
    listener = _listen(host, port)  # a taken port, a bad store or task module: stop here
    queue = _build_queue(settings)
    if url_scheme(settings.database_url) == "memory":
        logger.warning(
            "PYQUEUE_DATABASE_URL is memory://: tasks live in this process only and are lost "
            "when it exits; set sqlite:///path.db or postgresql://… to keep them"
        )
    logger.info("Serving on http://%s:%d (docs at /docs)", host, port)
    config = uvicorn.Config(create_app(settings, queue), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    freeze_start_up_objects()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the SIGINT it handled
        server.run(sockets=[listener])
    return 0 if server.started else 3  # as uvicorn.run: the app's start-up failed


def freeze_start_up_objects() -> None:
    """Move what start-up made (modules, the app, its schemas) out of the garbage collector's
    sight: it lives as long as the process, yet every full collection would walk it again, and
    a full collection comes every time the objects kept (tasks in a memory store, caches) grow
    by a quarter. Objects made later are collected as before."""
    gc.collect()
    gc.freeze()


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) reaches this machine only."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False  # cannot be bound either: _listen says so
    return bool(found) and all(ipaddress.ip_address(a[4][0]).is_loopback for a in found)


def refuse_open(host: str, settings: Settings) -> None:
    """Serving beyond this machine without a token would let anyone who reaches the port clear
    the queue: refused unless ``PYQUEUE_ALLOW_OPEN=1`` says it is meant."""
    if settings.api_token is not None or settings.allow_open or is_loopback(host):
        return
    raise ConfigurationError(
        f"refusing to serve on {host} without PYQUEUE_API_TOKEN: anyone who reaches it could "
        "change or clear the queue. Set PYQUEUE_API_TOKEN (and PYQUEUE_READONLY_TOKEN for "
        "read-only access), bind 127.0.0.1, or set PYQUEUE_ALLOW_OPEN=1 (e.g. behind an "
        "authenticating proxy)"
    )


def _listen(host: str, port: int) -> socket.socket:
    """The server's bound socket; a host or port that cannot be bound is a configuration error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(
            f"cannot listen on {host}:{port} (PYQUEUE_HOST/PYQUEUE_PORT or --host/--port): "
            f"{exc.strerror or exc}"
        ) from exc
    return sock


def _worker(args: argparse.Namespace) -> int:
    """A worker pool without HTTP; SIGTERM/SIGINT stop it gracefully."""
    import signal
    import threading

    from pyqueue.main import stop_queue
    from pyqueue.system.events import EventBus

    settings: Settings = args.settings
    if args.concurrency is not None:
        settings = settings.model_copy(update={"workers": args.concurrency})
    if settings.workers < 1:
        raise ConfigurationError("a worker process needs PYQUEUE_WORKERS (or --concurrency) >= 1")
    if url_scheme(settings.database_url) == "memory":
        raise ConfigurationError(
            "pyqueue worker needs a store it shares with the API (PYQUEUE_DATABASE_URL="
            "sqlite:///path.db or postgresql://…); with memory:// no task could ever reach it"
        )
    # No event stream in a worker process: its bus keeps no replay history, so that the two
    # events of each attempt (started, ended) are not made for nobody.
    queue = _build_queue(settings, EventBus(history=0))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    exporter = _serve_metrics(queue, settings.host, args.metrics_port)
    freeze_start_up_objects()
    queue.start()
    logger.info("Worker running %d threads on %s", settings.workers, _redacted(settings))
    try:
        if args.burst:
            while not stop.is_set() and not queue.wait_idle(timeout=0.5):
                pass
        else:
            stop.wait()
    finally:
        stop_queue(queue, settings.shutdown_timeout)
        if exporter is not None:
            exporter.shutdown()
    return 0


def _serve_metrics(queue: Queue, host: str, port: int | None) -> Any:
    """With ``--metrics-port``, this worker's own figures (task durations, waits, retries, leases
    recovered, and the store-wide gauges) on ``http://HOST:PORT/metrics`` for Prometheus to
    scrape: a worker process has no API of its own. Returns the server, or ``None``."""
    if port is None:
        return None
    from prometheus_client import start_http_server

    from pyqueue.api.metrics import Metrics

    metrics = Metrics(lambda: queue)
    queue.observers.add(metrics)
    server, _ = start_http_server(port, addr=host, registry=metrics.registry)
    logger.info("Worker metrics on http://%s:%d/metrics", host, port)
    return server


def _build_queue(settings: Settings, events: EventBus | None = None) -> Queue:
    """``build_queue`` with a store that cannot be opened as one :class:`StoreUnavailable` line
    (the reason PostgreSQL's pool gave is kept instead of printed on every retry)."""
    from pyqueue.main import build_queue

    with _LastWarning("psycopg.pool") as pool:
        try:
            return build_queue(settings, events)
        except StoreUnavailable as exc:
            if pool.last is None:
                raise
            raise StoreUnavailable(f"{exc.message} (last error: {pool.last})") from exc


class _LastWarning(logging.Handler):
    """Keeps a library logger's last warning, unprinted, for as long as the ``with`` lasts."""

    def __init__(self, name: str) -> None:
        super().__init__(logging.WARNING)
        self.last: str | None = None
        self._logger = logging.getLogger(name)
        self._propagate = self._logger.propagate

    def emit(self, record: logging.LogRecord) -> None:
        self.last = " ".join(record.getMessage().split())

    def __enter__(self) -> _LastWarning:
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate


def _redacted(settings: Settings) -> str:
    """The store URL without its password, for logs."""
    from pyqueue.logs import redact

    return redact(settings.database_url)


def _openapi(args: argparse.Namespace) -> int:
    from pyqueue.main import create_app

    app = create_app(Settings(static_dir=None))
    sys.stdout.write(json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyqueue", description="PyQueue job queue")
    parser.add_argument(
        "--env-file",
        action="append",
        metavar="PATH",
        help="read settings from this file instead of ./.env (repeatable; later files win; "
        "the environment wins over every file)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API, dashboard and an embedded worker pool")
    serve.add_argument("--host", help="default PYQUEUE_HOST (127.0.0.1)")
    serve.add_argument("--port", type=int, help="default PYQUEUE_PORT (8000)")
    serve.set_defaults(func=_serve)
    worker = commands.add_parser("worker", help="run a worker pool without HTTP")
    worker.add_argument("--concurrency", type=int, help="threads; default PYQUEUE_WORKERS")
    worker.add_argument("--burst", action="store_true", help="exit once the queue is drained")
    worker.add_argument(
        "--metrics-port",
        type=int,
        help="serve this worker's Prometheus metrics on PYQUEUE_HOST:PORT/metrics (no token)",
    )
    worker.set_defaults(func=_worker)
    openapi = commands.add_parser("openapi", help="print the OpenAPI document")
    openapi.set_defaults(func=_openapi)
    add_commands(commands)
    args = parser.parse_args(argv)
    if getattr(args, "remote", False):  # a client of a server: the server's settings play no part
        remote: int = args.func(args)
        return remote
    from pyqueue.logs import setup_logging

    setup_logging("INFO")
    try:
        args.settings = _settings(args.env_file)
        setup_logging(args.settings.log_level)
        code: int = args.func(args)
    except ValidationError as exc:
        logger.error("Invalid configuration: %s", describe_settings_error(exc))
        return 2
    except ConfigurationError as exc:
        logger.error("Invalid configuration: %s", exc.message)
        return 2
    except StoreUnavailable as exc:
        logger.error("Cannot start: %s", exc.message)
        return 2
    return code


def _settings(env_files: list[str] | None) -> Settings:
    """The settings from the environment and ``.env`` (or the ``--env-file`` files, later ones
    winning)."""
    if not env_files:
        return Settings()
    for name in env_files:
        if not Path(name).is_file():
            raise ConfigurationError(f"--env-file {name}: no such file")
    return Settings(_env_file=tuple(env_files))


if __name__ == "__main__":
    sys.exit(main())
