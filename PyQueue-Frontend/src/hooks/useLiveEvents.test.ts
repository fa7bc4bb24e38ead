import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { resetAuthForTests, setToken } from "../api/auth";
import type { TaskPage } from "../api/types";
import { json, makeTask, mockFetch } from "../test/fixtures";
import { queryKeys } from "./queryKeys";
import {
  applyTaskEvent,
  parseTaskEvent,
  POLL_INTERVAL_MS,
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
    client.setQueryData<TaskPage>(listKey, { items: [queued, other], total: 2 });
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
    client.setQueryData<TaskPage>(listKey, { items: [], total: 0 });
    applyTaskEvent(client, { kind: "cleared" }, vi.fn());
    expect(client.getQueryState(listKey)?.isInvalidated).toBe(true);
  });

  it("reloads every task query on a resync", () => {
    const client = new QueryClient();
    const task = makeTask();
    const listKey = queryKeys.taskList({ status: "FAILED", type: null, limit: 25, offset: 0 });
    client.setQueryData<TaskPage>(listKey, { items: [task], total: 1 });
    client.setQueryData(queryKeys.task(task.id), task);
    applyTaskEvent(client, { kind: "resync" }, vi.fn());
    expect(client.getQueryState(listKey)?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.task(task.id))?.isInvalidated).toBe(true);
  });
});

class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = 0;
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  close() {
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  send(data: unknown) {
    this.dispatchEvent(new MessageEvent("task", { data: JSON.stringify(data) }));
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.dispatchEvent(new Event("error"));
  }
}

function setVisibility(state: "visible" | "hidden") {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
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

describe("useLiveEvents", () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal("EventSource", FakeEventSource);
    mockFetch(() => json([]));
    resetAuthForTests();
  });
  afterEach(() => {
    setVisibility("visible");
    vi.unstubAllGlobals();
  });

  it("streams task events into the cache and stops polling while live", () => {
    const { client, result } = renderLive();
    const source = FakeEventSource.instances.at(-1)!;
    expect(source.url).toMatch(/\/api\/events$/);
    expect(result.current.mode).toBe("connecting");
    expect(result.current.poll).toBe(POLL_INTERVAL_MS);

    act(() => source.open());
    expect(result.current).toEqual({ mode: "live", poll: false });

    const task = makeTask({ status: "COMPLETED" });
    act(() => source.send({ kind: "updated", task }));
    expect(client.getQueryData(queryKeys.task(task.id))).toEqual(task);
  });

  it("falls back to polling when the stream fails", () => {
    const { result } = renderLive();
    const source = FakeEventSource.instances.at(-1)!;
    act(() => source.open());
    act(() => source.fail(false)); // the browser reconnects by itself
    expect(result.current).toEqual({ mode: "polling", poll: POLL_INTERVAL_MS });
    act(() => source.open());
    expect(result.current.mode).toBe("live");
  });

  it("pauses while the tab is hidden and reconnects when it is shown", () => {
    const { result } = renderLive();
    const first = FakeEventSource.instances.at(-1)!;
    act(() => first.open());
    act(() => setVisibility("hidden"));
    expect(result.current.mode).toBe("paused");
    expect(first.readyState).toBe(FakeEventSource.CLOSED);

    act(() => setVisibility("visible"));
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(result.current.mode).toBe("connecting");
  });

  it("passes the tab's token as access_token (EventSource cannot send headers)", () => {
    act(() => setToken("t0k en"));
    renderLive();
    expect(FakeEventSource.instances.at(-1)!.url).toMatch(/\/api\/events\?access_token=t0k%20en$/);
  });
});
