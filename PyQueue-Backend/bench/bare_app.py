"""The baseline for HTTP: a bare FastAPI POST endpoint with a pydantic body, served like PyQueue.

``python -m bench.bare_app --port 8101`` runs it under ``uvicorn.run`` with the settings that
``pyqueue serve`` uses, so the two differ only in what the route does.
"""

from __future__ import annotations

import argparse
import uuid

import uvicorn
from fastapi import FastAPI, status
from pydantic import BaseModel, Field, JsonValue


class Item(BaseModel):
    payload: JsonValue
    t_type: str = Field(min_length=1, max_length=64)


class Batch(BaseModel):
    tasks: list[Item] = Field(min_length=1, max_length=1000)


class Created(BaseModel):
    id: str
    payload: JsonValue
    type: str
    status: str


app = FastAPI()


@app.post("/api/enqueue", status_code=status.HTTP_201_CREATED)
async def enqueue(item: Item) -> Created:
    return Created(id=uuid.uuid4().hex, payload=item.payload, type=item.t_type, status="QUEUED")


@app.post("/api/enqueue/batch", status_code=status.HTTP_201_CREATED)
async def enqueue_batch(batch: Batch) -> list[Created]:
    return [
        Created(id=uuid.uuid4().hex, payload=i.payload, type=i.t_type, status="QUEUED")
        for i in batch.tasks
    ]


@app.get("/api/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
