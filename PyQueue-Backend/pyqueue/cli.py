"""The ``pyqueue`` command: ``serve`` (API + workers), ``worker`` (no HTTP), ``openapi``."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from pydantic import ValidationError

from pyqueue.config import Settings
from pyqueue.errors import ConfigurationError

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
    logger.info("Serving on http://%s:%d (docs at /docs)", host, port)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    return 0


def _worker(args: argparse.Namespace) -> int:
    """A worker pool without HTTP; SIGTERM/SIGINT stop it gracefully."""
    import signal
    import threading

    from pyqueue.main import build_queue

    settings: Settings = args.settings
    if args.concurrency is not None:
        settings = settings.model_copy(update={"workers": args.concurrency})
    if settings.workers < 1:
        raise ConfigurationError("a worker process needs PYQUEUE_WORKERS (or --concurrency) >= 1")
    queue = build_queue(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    queue.start()
    logger.info("Worker running %d threads on %s", settings.workers, _redacted(settings))
    try:
        if args.burst:
            while not stop.is_set() and not queue.wait_idle(timeout=0.5):
                pass
        else:
            stop.wait()
    finally:
        queue.stop(settings.shutdown_timeout)
        queue.close()
    return 0


def _redacted(settings: Settings) -> str:
    """The store URL without its password, for logs."""
    url = settings.database_url
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}" if ":" in credentials else url
    return url


def _openapi(args: argparse.Namespace) -> int:
    from pyqueue.main import create_app

    app = create_app(Settings(static_dir=None))
    sys.stdout.write(json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyqueue", description="PyQueue job queue")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API, dashboard and an embedded worker pool")
    serve.add_argument("--host", help="default PYQUEUE_HOST (127.0.0.1)")
    serve.add_argument("--port", type=int, help="default PYQUEUE_PORT (8000)")
    serve.set_defaults(func=_serve)
    worker = commands.add_parser("worker", help="run a worker pool without HTTP")
    worker.add_argument("--concurrency", type=int, help="threads; default PYQUEUE_WORKERS")
    worker.add_argument("--burst", action="store_true", help="exit once the queue is drained")
    worker.set_defaults(func=_worker)
    openapi = commands.add_parser("openapi", help="print the OpenAPI document")
    openapi.set_defaults(func=_openapi)
    args = parser.parse_args(argv)
    from pyqueue.logs import setup_logging

    setup_logging("INFO")
    try:
        args.settings = Settings()
        setup_logging(args.settings.log_level)
        code: int = args.func(args)
    except ValidationError as exc:
        logger.error("Invalid configuration: %s", describe_settings_error(exc))
        return 2
    except ConfigurationError as exc:
        logger.error("Invalid configuration: %s", exc.message)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
