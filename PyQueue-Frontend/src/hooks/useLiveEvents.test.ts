import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { getAuthState, resetAuthForTests, setToken } from "../api/auth";
import type { TaskPage } from "../api/types";
import { json, makeTask, mockFetch } from "../test/fixtures";
import { queryKeys } from "./queryKeys";
import {
  applyTaskEvent,
  parseTaskEvent,
  POLL_INTERVAL_MS,
  RECONNECT_MAX_MS,
  reconnectDelay,
  useLiveEvents,
  useLiveMode,
  usePollInterval,
} from "./useLiveEvents";

describe("live task events", () => {
  it("parses the four event kinds and ignores anything else", () => {
    const task = makeTask();
    expect(parseTaskEvent(JSON.stringify({ kind: "updated", task }))).toEqual({ kind: "updated", task });
    expect(parseTaskEvent('{"kind":"deleted","id":"Task-1"}')).toEqual({ kind: "deleted", id: "Task-1" });
    expect(parseTaskEvent('{"kind":"cleared"}')).toEqual({ kind: "cleared" });
    expect(parseTaskEvent('{"kind":"resync"}')).toEqual({ kind: "resync" });
    expect(parseTaskEvent('{"kind":"updated"}')).toBeNull();
    expect(parseTaskEvent("not json")).toBeNull();
  });

  it("updates the cached task and the rows that show it at once, then refreshes", () => {
    const client = new QueryClient();
    const queued = makeTask({ status: "QUEUED" });
    const other = makeTask({ id: "Task-OTHER" });
    const listKey = queryKeys.taskList({ status: null, type: null, limit: 25, offset: 0 });
    client.setQueryData<TaskPage>(listKey, { items: [queued, other], total: 2, nextCursor: null });
    client.setQueryData(queryKeys.task(queued.id), queued);
    const refresh = vi.fn();

    const running = { ...queued, status: "INPROGRESS" as const, attempts: 1 };
    applyTaskEvent(client, { kind: "updated", task: running }, refresh);

    expect(client.getQueryData(queryKeys.task(queued.id))).toEqual(running);
    expect(client.getQueryData<TaskPage>(listKey)?.items).toEqual([running, other]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("invalidates a deleted task and everything after a clear", () => {
    const client = new QueryClient();
    const task = makeTask();
    client.setQueryData(queryKeys.task(task.id), task);
    applyTaskEvent(client, { kind: "deleted", id: task.id }, vi.fn());
    expect(client.getQueryState(queryKeys.task(task.id))?.isInvalidated).toBe(true);

    const listKey = queryKeys.taskList({ status: null, type: null, limit: 25, offset: 0 });
    client.setQueryData<TaskPage>(listKey, { items: [], total: 0, nextCursor: null });
    applyTaskEvent(client, { kind: "cleared" }, vi.fn());
    expect(client.getQueryState(listKey)?.isInvalidated).toBe(true);
  });

  it("reloads every task query on a resync", () => {
    const client = new QueryClient();
    const task = makeTask();
    const listKey = queryKeys.taskList({ status: "FAILED", type: null, limit: 25, offset: 0 });
    client.setQueryData<TaskPage>(listKey, { items: [task], total: 1, nextCursor: null });
    client.setQueryData(queryKeys.task(task.id), task);
    applyTaskEvent(client, { kind: "resync" }, vi.fn());
    expect(client.getQueryState(listKey)?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.task(task.id))?.isInvalidated).toBe(true);
  });
});

/** One response of GET /api/events whose body the test writes, chunk by chunk. */
class FakeStream {
  static all: FakeStream[] = [];
  readonly request: Request;
  readonly response: Response;
  private controller!: ReadableStreamDefaultController<Uint8Array>;

  constructor(request: Request) {
    this.request = request;
    const body = new ReadableStream<Uint8Array>({ start: (controller) => void (this.controller = controller) });
    this.response = new Response(body, { headers: { "Content-Type": "text/event-stream; charset=utf-8" } });
    FakeStream.all.push(this);
  }

  static last(): FakeStream {
    return FakeStream.all.at(-1)!;
  }

  write(text: string) {
    this.controller.enqueue(new TextEncoder().encode(text));
  }

  task(data: unknown, id: number) {
    this.write(`id: ${id}\nevent: task\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end() {
    this.controller.close();
  }

  fail() {
    this.controller.error(new TypeError("network error"));
  }
}

/** What GET /api/events does next: stream (default), answer a status, or fail to connect. */
let plan: Array<"stream" | "down" | number> = [];

function setVisibility(state: "visible" | "hidden") {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}

/** Lets fetches, stream reads and React updates run (and timers due by then). */
async function settle(ms = 0) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
  for (let i = 0; i < 10; i++) {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
  }
}

function renderLive() {
  const client = new QueryClient();
  const wrapper = ({ children }: { children: ReactNode }) =>
    createElement(QueryClientProvider, { client }, children);
  const hook = renderHook(
    () => {
      useLiveEvents();
      return { mode: useLiveMode(), poll: usePollInterval() };
    },
    { wrapper },
  );
  return { client, ...hook };
}

const none = () => 0;

/** How many times the hook asked for GET /api/events. */
const attempts = () =>
  vi.mocked(fetch).mock.calls.filter(([input]) => {
    const url = input instanceof Request ? input.url : String(input);
    return new URL(url, "http://localhost").pathname === "/api/events";
  }).length;

describe("reconnectDelay", () => {
  it("doubles from the server's hint (or 1 s) up to 30 s, less up to a quarter at random", () => {
    expect([0, 1, 2, 3].map((n) => reconnectDelay(n, null, none))).toEqual([1000, 2000, 4000, 8000]);
    expect([0, 1, 2].map((n) => reconnectDelay(n, 2000, none))).toEqual([2000, 4000, 8000]);
    expect(reconnectDelay(10, 2000, none)).toBe(RECONNECT_MAX_MS);
    expect(reconnectDelay(1000, 2000, none)).toBe(RECONNECT_MAX_MS);
    expect(reconnectDelay(0, 2000, () => 0.999)).toBeGreaterThanOrEqual(1500);
  });
});

describe("useLiveEvents", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    FakeStream.all = [];
    plan = [];
    mockFetch((url, request) => {
      if (url.pathname !== "/api/events") return json([]);
      const next = plan.shift() ?? "stream";
      if (next === "down") throw new TypeError("Failed to fetch");
      if (typeof next === "number") return json({ detail: "no" }, { status: next });
      return new FakeStream(request).response;
    });
    resetAuthForTests();
  });
  afterEach(() => {
    setVisibility("visible");
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("streams task events into the cache and stops polling while live", async () => {
    const { client, result } = renderLive();
    expect(result.current).toEqual({ mode: "connecting", poll: POLL_INTERVAL_MS });
    await settle();
    const stream = FakeStream.last();
    expect(new URL(stream.request.url).pathname).toBe("/api/events");
    expect(stream.request.headers.get("Accept")).toBe("text/event-stream");
    expect(result.current).toEqual({ mode: "live", poll: false });

    const task = makeTask({ status: "COMPLETED" });
    stream.write(": keep-alive\n\n");
    stream.task({ kind: "updated", task }, 7);
    await settle();
    expect(client.getQueryData(queryKeys.task(task.id))).toEqual(task);
  });

  it("sends the tab's token in the Authorization header, never in the URL", async () => {
    act(() => setToken("t0k en"));
    renderLive();
    await settle();
    const { request } = FakeStream.last();
    expect(request.headers.get("Authorization")).toBe("Bearer t0k en");
    expect(request.url).toMatch(/\/api\/events$/);
    expect(request.url).not.toContain("token");
  });

  it("polls while the stream is down and resumes it with Last-Event-ID after a backoff", async () => {
    const { client, result } = renderLive();
    await settle();
    const first = FakeStream.last();
    first.write("retry: 2000\n\n");
    first.task({ kind: "updated", task: makeTask({ status: "INPROGRESS" }) }, 41);
    await settle();
    expect(first.request.headers.get("Last-Event-ID")).toBeNull();

    first.fail();
    await settle();
    expect(result.current).toEqual({ mode: "polling", poll: POLL_INTERVAL_MS });
    await settle(1000); // the first retry waits the server's retry hint, 2 s (less up to 25 %)
    await settle(1000);
    expect(FakeStream.all).toHaveLength(2);
    const second = FakeStream.last();
    expect(second.request.headers.get("Last-Event-ID")).toBe("41");
    expect(result.current.mode).toBe("live");
    const done = makeTask({ status: "COMPLETED" });
    second.task({ kind: "updated", task: done }, 42);
    await settle();
    expect(client.getQueryData(queryKeys.task(done.id))).toEqual(done);
  });

  it("backs off further while the server stays down, and reconnects when a stream ends", async () => {
    plan = ["down", "down", "down"];
    const { result } = renderLive();
    await settle();
    expect(result.current.mode).toBe("polling");
    expect(attempts()).toBe(1);
    await settle(1000); // 1 s (no hint yet)
    expect(attempts()).toBe(2);
    await settle(1000);
    expect(attempts()).toBe(2); // now 2 s
    await settle(1000);
    expect(attempts()).toBe(3);
    await settle(4000); // then 4 s, and this one streams
    expect(attempts()).toBe(4);
    expect(result.current.mode).toBe("live");

    FakeStream.last().end(); // e.g. the server is shutting down: poll, and try again shortly
    await settle();
    expect(result.current.mode).toBe("polling");
    await settle(1000);
    expect(attempts()).toBe(5);
    expect(result.current.mode).toBe("live");
  });

  it("asks for a token when the stream answers 401, and stops trying", async () => {
    plan = [401];
    const { result } = renderLive();
    await settle();
    expect(getAuthState().required).toBe(true);
    expect(result.current.mode).toBe("polling");
    await settle(60_000);
    expect(FakeStream.all).toHaveLength(0);

    act(() => setToken("right"));
    await settle();
    expect(FakeStream.last().request.headers.get("Authorization")).toBe("Bearer right");
    expect(result.current.mode).toBe("live");
  });

  it("pauses while the tab is hidden and reconnects when it is shown", async () => {
    const { result } = renderLive();
    await settle();
    const first = FakeStream.last();
    expect(result.current.mode).toBe("live");
    act(() => setVisibility("hidden"));
    await settle();
    expect(result.current.mode).toBe("paused");
    expect(first.request.signal.aborted).toBe(true);
    await settle(60_000);
    expect(FakeStream.all).toHaveLength(1);

    act(() => setVisibility("visible"));
    expect(result.current.mode).toBe("connecting");
    await settle();
    expect(FakeStream.all).toHaveLength(2);
    expect(result.current.mode).toBe("live");
  });
});
