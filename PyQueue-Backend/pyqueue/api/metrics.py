"""``GET /metrics``: Prometheus metrics (prometheus-client), one registry per app.

Where each figure comes from (additional_docs/operations.md says the same for operators):

- **store-wide**, asked of the store at scrape time (cached :data:`STORE_CACHE_SECONDS`), the same
  from every process sharing the store: ``pyqueue_tasks{status,type}``,
  ``pyqueue_oldest_queued_age_seconds{type}``, ``pyqueue_store_up``;
- **this process**, observed here (sum them over processes): ``pyqueue_task_duration_seconds``,
  ``pyqueue_task_wait_seconds``, ``pyqueue_retries_total``, ``pyqueue_lease_expired_total``
  (through the Queue's :class:`~pyqueue.system.observer.PoolObserver` hook),
  ``pyqueue_workers{state}``, ``pyqueue_http_requests_total`` and
  ``pyqueue_http_request_duration_seconds`` (labelled by route template, never the raw path).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyqueue.api.deps import call, require_token
from pyqueue.enums import TaskStatus
from pyqueue.errors import PyQueueError
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.system.queue import Queue

logger = logging.getLogger("pyqueue.api")

STORE_CACHE_SECONDS = 1.0
"""How long the store's figures are reused: scrapes by several Prometheus servers (or a burst of
them) cost the store one query set per second at most."""

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)
WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

QueueSource = Callable[[], Queue | None]


def outcome_label(outcome: Outcome) -> str:
    """``completed``, ``failed``, ``cancelled``, ``retry`` (failed, retried later) or
    ``interrupted`` (shutdown: the attempt does not count)."""
    if outcome.status is TaskStatus.QUEUED:
        return "interrupted" if outcome.refund_attempt else "retry"
    return outcome.status.value.lower()


class StoreCollector(Collector):
    """The store-wide figures and this process's pool, read at scrape time."""

    def __init__(self, queue: QueueSource) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Metric]] | None = None

    def collect(self) -> Iterable[Metric]:
        queue = self._queue()
        if queue is None:
            return []
        return [*self._store_metrics(queue), self._workers(queue)]

    def _store_metrics(self, queue: Queue) -> list[Metric]:
        with self._lock:  # one scrape at a time asks the store
            now = time.monotonic()
            if self._cached is not None and now - self._cached[0] < STORE_CACHE_SECONDS:
                return self._cached[1]
            metrics = self._read_store(queue)
            self._cached = (now, metrics)
            return metrics

    @staticmethod
    def _read_store(queue: Queue) -> list[Metric]:
        up = GaugeMetricFamily(
            "pyqueue_store_up", "1 when the store answered this scrape's queries, else 0"
        )
        try:
            counts = queue.counts()
            oldest = queue.oldest_queued()
        except PyQueueError as exc:
            logger.warning("Metrics: the store did not answer: %s", exc)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        types = sorted({spec.name for spec in queue.types()} | set(counts.by_type))
        tasks = GaugeMetricFamily(
            "pyqueue_tasks", "Tasks in the store by status and type", labels=["status", "type"]
        )
        for t_type in types:
            for status in TaskStatus:
                n = counts.by_status_type.get((status, t_type), 0)
                tasks.add_metric([status.value, t_type], n)
        age = GaugeMetricFamily(
            "pyqueue_oldest_queued_age_seconds",
            "Seconds the longest-waiting due QUEUED task of each type has waited (0: none due)",
            labels=["type"],
        )
        now = utcnow()
        for t_type in types:
            due = oldest.get(t_type)
            waited = (now - due).total_seconds() if due is not None else 0.0
            age.add_metric([t_type], max(0.0, waited))
        return [up, tasks, age]

    @staticmethod
    def _workers(queue: Queue) -> Metric:
        busy, total = queue.pool_size()
        workers = GaugeMetricFamily(
            "pyqueue_workers", "This process's worker threads", labels=["state"]
        )
        workers.add_metric(["busy"], busy)
        workers.add_metric(["total"], total)
        return workers


class Metrics:
    """The registry of one app, and the :class:`~pyqueue.system.observer.PoolObserver` that feeds
    its per-process task figures."""

    def __init__(self, queue: QueueSource) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        r = self.registry
        self.duration = Histogram(
            "pyqueue_task_duration_seconds",
            "Attempts run in this process: claim to end, by type and outcome",
            ["type", "outcome"],
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self.wait = Histogram(
            "pyqueue_task_wait_seconds",
            "First attempts started in this process: enqueue to start (a delay counts)",
            ["type"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.retries = Counter(
            "pyqueue_retries", "Automatic retries scheduled by this process", ["type"], registry=r
        )
        self.lease_expired = Counter(
            "pyqueue_lease_expired",
            "Tasks this process recovered after their lease ran out",
            ["type"],
            registry=r,
        )
        self.http_requests = Counter(
            "pyqueue_http_requests",
            "HTTP requests answered by this process, by route template",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "pyqueue_http_request_duration_seconds",
            "Time to answer HTTP requests in this process, by route template",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=r,
        )
        r.register(StoreCollector(queue))
        self._http_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        """The request metrics' children by label set: ``labels()`` costs more than the update."""

    # -- PoolObserver --------------------------------------------------------------------------
    def attempt_started(self, task: Task) -> None:
        if task.attempts == 1 and task.started_at is not None:
            waited = (task.started_at - task.created_at).total_seconds()
            self.wait.labels(task.t_type).observe(max(0.0, waited))

    def attempt_ended(self, task: Task, outcome: Outcome, seconds: float) -> None:
        label = outcome_label(outcome)
        self.duration.labels(task.t_type, label).observe(max(0.0, seconds))
        if label == "retry":
            self.retries.labels(task.t_type).inc()

    def leases_expired(self, tasks: Sequence[Task]) -> None:
        for task in tasks:
            self.lease_expired.labels(task.t_type).inc()

    # -- HTTP ----------------------------------------------------------------------------------
    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._http_children.get(key)
        if children is None:  # a label set seen first (route templates and statuses are few)
            children = (
                self.http_requests.labels(method, route, str(status)),
                self.http_latency.labels(method, route),
            )
            self._http_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_label(scope: Scope) -> str:
    """The template of the route that answered (``/api/jobs/{task_id}``), never the raw path:
    ``unmatched`` for an unknown API path, ``dashboard`` for the built dashboard's files."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    path: str = scope.get("path", "")
    if path == "/api" or path.startswith("/api/"):
        return "unmatched"
    if path.startswith("/docs/assets/"):
        return "/docs/assets"
    return "dashboard"


class HttpMetrics:
    """Counts and times every HTTP request (pure ASGI, outermost, so refusals count too)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recorded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            elapsed = time.perf_counter() - started
            self.metrics.observe_request(method, route_label(scope), status, elapsed)


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    dependencies=[Depends(require_token)],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics (text format). With a token configured, send it (read-only is enough)."""
    collected: Metrics = request.app.state.metrics
    queue: Queue | None = getattr(request.app.state, "queue", None)
    body = await call(queue, collected.render) if queue is not None else collected.render()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
