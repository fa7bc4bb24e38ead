"""Keyset paging of ``GET /api/jobs``: ``X-Next-Cursor`` on a full page, ``cursor`` to follow it."""

from __future__ import annotations

from tests.support import MakeClient, enqueue


def test_following_next_cursor_visits_every_task_once(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    created = [enqueue(client, "ECHO", i)["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor is not None:
            params["cursor"] = cursor
        response = client.get("/api/jobs", params=params)
        assert response.status_code == 200
        assert response.headers["X-Total-Count"] == "7"
        seen += [t["id"] for t in response.json()]
        pages += 1
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            break
        assert cursor == seen[-1]
    assert seen == created[::-1]
    assert pages == 3  # 3 + 3 + 1: the short last page carries no cursor
    ascending = client.get("/api/jobs", params={"order": "asc", "limit": 2, "cursor": created[1]})
    assert [t["id"] for t in ascending.json()] == created[2:4]


def test_a_full_last_page_ends_with_an_empty_page(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    created = [enqueue(client, "ECHO", i)["id"] for i in range(2)]
    page = client.get("/api/jobs", params={"limit": 2})
    assert page.headers["X-Next-Cursor"] == created[0]
    after = client.get("/api/jobs", params={"limit": 2, "cursor": created[0]})
    assert after.json() == [] and "X-Next-Cursor" not in after.headers


def test_a_bad_cursor_is_422_naming_it(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    for bad in ("x" * 65, "Task-\x00", ""):
        response = client.get("/api/jobs", params={"cursor": bad})
        assert response.status_code == 422, bad
        assert "cursor" in response.text
