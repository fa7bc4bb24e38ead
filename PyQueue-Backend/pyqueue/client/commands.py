"""The CLI's commands over HTTP (``pyqueue enqueue|get|jobs|stats|retry|cancel|delete``), built on
:class:`~pyqueue.client.Client`. ``pyqueue.cli`` adds them to its parser.

Output is a table for people and, with ``--json``, JSON for scripts. An error is one line on
stderr, and the exit code says what kind it was (:data:`EXIT_CODES`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from pyqueue.client.common import DEFAULT_URL
from pyqueue.client.errors import ClientError, ConnectionFailed, ServerError
from pyqueue.client.sync import Client
from pyqueue.schemas.task import MAX_BATCH, TaskOut

OK, REFUSED, USAGE, UNREACHABLE, SERVER_ERROR = 0, 1, 2, 3, 4
EXIT_CODES = {
    OK: "done",
    REFUSED: "the server refused the request (4xx: not found, conflict, unauthorized, invalid)",
    USAGE: "usage error: bad arguments or options (nothing was sent)",
    UNREACHABLE: "the server could not be reached or did not answer in time",
    SERVER_ERROR: "the server failed (5xx; 503: its store is unavailable)",
}

Handler = Callable[[Client, argparse.Namespace], None]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class UsageError(Exception):
    """A bad argument found before any request was sent."""


def add_commands(commands: Any) -> None:
    """Add the HTTP commands to ``pyqueue``'s subparsers (``commands``)."""
    common = argparse.ArgumentParser(add_help=False)
    remote = common.add_argument_group("server")
    remote.add_argument(
        "--url", help=f"the PyQueue server (default PYQUEUE_URL, else {DEFAULT_URL})"
    )
    remote.add_argument(
        "--token",
        help="API token (default PYQUEUE_TOKEN; prefer the variable: arguments are visible to "
        "other users of the machine)",
    )
    remote.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    remote.add_argument("--json", action="store_true", help="print JSON for scripts")
    epilog = "exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())

    def add(name: str, help_: str, handler: Handler) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(
            name, help=help_, description=help_, parents=[common], epilog=epilog
        )
        parser.set_defaults(func=run, handler=handler, remote=True)
        return parser

    enqueue = add("enqueue", "enqueue a task over HTTP", _enqueue)
    enqueue.add_argument("type", help="a registered task type (see GET /api/types)")
    enqueue.add_argument("--payload", default="null", help="the payload as JSON (default null)")
    enqueue.add_argument("--priority", type=int, help="higher runs first (default 0)")
    enqueue.add_argument("--delay", type=float, metavar="SECONDS", help="run no sooner than this")
    enqueue.add_argument("--run-at", metavar="TIME", help="ISO 8601 time with an offset")
    enqueue.add_argument("--max-retries", type=int, metavar="N", help="retries after the first")
    enqueue.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other field of the enqueue request (VALUE as JSON, else as text), e.g. "
        "--option timeout_seconds=30; repeatable",
    )

    get = add("get", "show one task", _get)
    get.add_argument("id")

    jobs = add("jobs", "list tasks, newest first", _jobs)
    jobs.add_argument("--status", help="QUEUED, INPROGRESS, COMPLETED, FAILED or CANCELLED")
    jobs.add_argument("--type", dest="t_type", metavar="TYPE", help="one task type")
    jobs.add_argument(
        "--limit", type=int, default=20, metavar="N", help=f"at most N, 1 to {MAX_BATCH} (20)"
    )
    jobs.add_argument("--all", action="store_true", help="every matching task, page after page")

    add("stats", "counts by status and type, and the workers", _stats)
    for name, handler, help_ in (
        ("retry", _retry, "a FAILED or CANCELLED task back to QUEUED"),
        ("cancel", _cancel, "cancel a task (a running one is asked to stop)"),
        ("delete", _delete, "remove a task for good"),
    ):
        add(name, help_, handler).add_argument("id")


def run(args: argparse.Namespace) -> int:
    """Run one HTTP command; the exit code (:data:`EXIT_CODES`)."""
    handler: Handler = args.handler
    try:
        url = args.url or os.environ.get("PYQUEUE_URL") or DEFAULT_URL
        token = args.token or os.environ.get("PYQUEUE_TOKEN") or None
        timeout = args.timeout if args.timeout and args.timeout > 0 else None
        with Client(url, token=token, timeout=timeout) as client:
            handler(client, args)
    except (UsageError, ValueError) as exc:
        return _fail(USAGE, str(exc))
    except ConnectionFailed as exc:
        return _fail(UNREACHABLE, exc.message)
    except ServerError as exc:
        return _fail(SERVER_ERROR, f"{exc.message} (HTTP {exc.status})")
    except ClientError as exc:
        if exc.status is None:  # refused by the schema before sending
            return _fail(USAGE, exc.message)
        return _fail(REFUSED, f"{exc.message} (HTTP {exc.status})")
    return OK


def _fail(code: int, message: str) -> int:
    sys.stderr.write(f"pyqueue: {_clean(message)}\n")
    return code


def _enqueue(client: Client, args: argparse.Namespace) -> None:
    try:
        payload = json.loads(args.payload)
    except ValueError as exc:
        raise UsageError(f"--payload is not valid JSON: {exc}") from None
    options: dict[str, Any] = {}
    for option in args.option:
        name, equals, text = option.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--option {option!r}: expected NAME=VALUE")
        try:
            options[name.strip()] = json.loads(text)
        except ValueError:
            options[name.strip()] = text
    for key, value in (
        ("priority", args.priority),
        ("delay_seconds", args.delay),
        ("run_at", args.run_at),
        ("max_retries", args.max_retries),
    ):
        if value is not None:
            options[key] = value
    _show_task(client.enqueue(args.type, payload, **options), args)


def _get(client: Client, args: argparse.Namespace) -> None:
    _show_task(client.get(args.id), args)


def _retry(client: Client, args: argparse.Namespace) -> None:
    _show_task(client.retry(args.id), args)


def _cancel(client: Client, args: argparse.Namespace) -> None:
    _show_task(client.cancel(args.id), args)


def _delete(client: Client, args: argparse.Namespace) -> None:
    deleted = client.delete(args.id)
    _write(_json(deleted) if args.json else deleted.message)


def _jobs(client: Client, args: argparse.Namespace) -> None:
    if not 1 <= args.limit <= MAX_BATCH:
        raise UsageError(f"--limit must be 1 to {MAX_BATCH}, not {args.limit}")
    if args.all:
        tasks: Iterable[TaskOut] = client.jobs(args.status, args.t_type)
        total = None
    else:
        page = client.page(args.status, args.t_type, limit=args.limit)
        tasks, total = page.tasks, page.total
    if args.json:
        _write_json_array(tasks)
        return
    rows = [
        [
            t.id,
            t.type,
            t.status.value,
            str(t.priority),
            f"{t.attempts}/{t.max_retries + 1}",
            t.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            t.last_error or "",
        ]
        for t in tasks
    ]
    header = ["ID", "TYPE", "STATUS", "PRIORITY", "ATTEMPTS", "CREATED (UTC)", "LAST ERROR"]
    if rows:
        _write(_table(header, rows, last_width=60))
    shown = f"{len(rows)} of {total}" if total is not None else str(len(rows))
    more = " (--limit N or --all for more)" if total is not None and total > len(rows) else ""
    _write(f"{shown} task{'s' if (total or len(rows)) != 1 else ''}{more}")


def _stats(client: Client, args: argparse.Namespace) -> None:
    stats = client.stats()
    if args.json:
        _write(_json(stats))
        return
    by_status = [[str(status), str(count)] for status, count in stats.by_status.items()]
    by_type = [[name, str(count)] for name, count in sorted(stats.by_type.items())]
    _write(_table(["STATUS", "TASKS"], by_status))
    if by_type:
        _write("")
        _write(_table(["TYPE", "TASKS"], by_type))
    workers = stats.workers
    _write("")
    _write(
        f"{stats.total} tasks; workers: {workers.busy} busy of {workers.total} "
        f"in {workers.processes} process{'es' if workers.processes != 1 else ''}"
    )


def _show_task(task: TaskOut, args: argparse.Namespace) -> None:
    if args.json:
        _write(_json(task))
        return
    fields = task.model_dump(mode="json")
    width = max(map(len, fields))
    lines = []
    for name, value in fields.items():
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{name.ljust(width)}  {_clean(text, 500)}")
    _write("\n".join(lines))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], last_width: int = 80) -> str:
    cells = [list(header)] + [
        [_clean(c, 40) for c in row[:-1]] + [_clean(row[-1], last_width)] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def _clean(text: str, width: int | None = None) -> str:
    """``text`` safe for a terminal: control characters (escapes, newlines) shown as ``\\xNN``,
    cut to ``width`` characters."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _json(model: BaseModel) -> str:
    return model.model_dump_json(indent=2)


def _write_json_array(tasks: Iterable[TaskOut]) -> None:
    """A JSON array written as the pages arrive (``--all`` may list millions)."""
    out = sys.stdout
    out.write("[")
    for i, task in enumerate(tasks):
        out.write(("," if i else "") + "\n  " + task.model_dump_json())
    out.write("\n]\n")


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")
