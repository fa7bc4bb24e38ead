import type { Task } from "../api/types";

export function makeTask(overrides: Partial<Task> = {}): Task {
  return {
    id: "Task-01JDZ8Q3M4X7K2B9C5N6P8R0ST",
    payload: { to: "ada@example.com" },
    type: "EMAIL",
    status: "QUEUED",
    attempts: 0,
    max_retries: 3,
    priority: 0,
    created_at: "2026-02-03T15:34:21.123Z",
    updated_at: "2026-02-03T15:34:21.123Z",
    started_at: null,
    finished_at: null,
    next_run_at: null,
    last_error: null,
    result: null,
    cancel_requested: false,
    timeout_seconds: null,
    idempotency_key: null,
    progress: null,
    progress_message: null,
    ...overrides,
  };
}

type Route = (url: URL, request: Request) => Response | Promise<Response> | undefined;

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { "Content-Type": "application/json", ...init.headers },
  });
}

/** Replaces globalThis.fetch; each route returns a Response or undefined (next route). */
export function mockFetch(...routes: Route[]) {
  const calls: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push(request);
    const url = new URL(request.url);
    for (const route of routes) {
      const response = await route(url, request);
      if (response) return response;
    }
    return json({ detail: `no mock for ${request.method} ${url.pathname}` }, { status: 404 });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}
