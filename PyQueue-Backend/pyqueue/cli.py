"""The ``pyqueue`` command: ``serve`` (API + embedded workers), ``openapi``."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from pyqueue.config import Settings

logger = logging.getLogger("pyqueue.cli")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pyqueue.main import create_app

    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    logger.info("Serving on http://%s:%d (docs at /docs)", host, port)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    return 0


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
    openapi = commands.add_parser("openapi", help="print the OpenAPI document")
    openapi.set_defaults(func=_openapi)
    args = parser.parse_args(argv)
    from pyqueue.logs import setup_logging

    setup_logging(Settings().log_level)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
