"""PostgreSQL goes away: the API answers 503, nothing accepted is lost, and all resumes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pyqueue.main import create_app
from tests.faults.harness import wait_until
from tests.stores.factory import drop_schema, postgres_reason, store_url
from tests.stores.tcp_proxy import TcpProxy
from tests.support import make_settings, skip_or_fail

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    if reason := postgres_reason():
        skip_or_fail(reason)
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    yield proxy
    proxy.cut()


def test_postgres_outage_is_503_then_everything_resumes(proxy: TcpProxy, tmp_path: Path) -> None:
    schema = "pyqueue_outage"
    url = store_url("postgres", tmp_path, schema).replace(
        "127.0.0.1:5432", f"127.0.0.1:{proxy.port}"
    )
    settings = make_settings(
        database_url=url, workers=2, lease_seconds=2, poll_interval=0.2, demo_time_scale=0.05
    )
    try:
        with TestClient(create_app(settings)) as client:
            # EMAIL takes 0.1 s here: most of the 20 are still queued or running at the cut
            body = {"tasks": [{"t_type": "EMAIL", "payload": i} for i in range(20)]}
            assert client.post("/api/enqueue/batch", json=body).status_code == 201

            proxy.cut()
            refused = client.post("/api/enqueue", json={"t_type": "ECHO", "payload": "late"})
            assert refused.status_code == 503
            assert "database" in refused.json()["detail"].lower()
            assert client.get("/api/jobs").status_code == 503
            assert client.get("/api/health").status_code == 200

            proxy.start()

            def recovered() -> bool:
                response = client.get("/api/stats")
                return (
                    response.status_code == 200 and response.json()["by_status"]["COMPLETED"] == 20
                )

            wait_until(recovered, 60, "the queue to resume and finish the accepted tasks")
            again = client.post("/api/enqueue", json={"t_type": "ECHO", "payload": "after"})
            assert again.status_code == 201
            assert client.get("/api/stats").json()["total"] == 21
    finally:
        drop_schema(schema)
