/**
 * Live updates from `GET /api/events` (server-sent events, read with `fetch` so the token goes in
 * the `Authorization` header, never in the URL). Each task event updates the cached task at once
 * and schedules a throttled refetch of lists and counts. While the stream is down the queries poll
 * instead (see usePollInterval) and it reconnects with a growing delay, resuming with
 * `Last-Event-ID`; while the tab is hidden both pause.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { markTokenRequired, useAuth } from "../api/auth";
import { apiUrl } from "../api/client";
import { isApiError } from "../api/errors";
import { openEventStream, SseParser } from "../api/sse";
import type { Task, TaskEvent, TaskPage } from "../api/types";
import { newest } from "../utils/newest";
import { createStore, useStore } from "../utils/store";
import { throttle } from "../utils/throttle";
import { usePageVisible } from "./usePageVisible";
import { isTaskDataKey, queryKeys } from "./queryKeys";

export type LiveMode = "connecting" | "live" | "polling" | "paused";

export const POLL_INTERVAL_MS = 3000;
export const RECONNECT_BASE_MS = 1000;
export const RECONNECT_MAX_MS = 30_000;
const REFRESH_THROTTLE_MS = 500;

const liveMode = createStore<LiveMode>("connecting");

export function setLiveMode(next: LiveMode): void {
  liveMode.set(next);
}

export function useLiveMode(): LiveMode {
  return useStore(liveMode);
}

/** refetchInterval for task queries: polling only while the event stream is not live. */
export function usePollInterval(): number | false {
  const current = useLiveMode();
  return current === "live" ? false : POLL_INTERVAL_MS;
}

export function parseTaskEvent(data: string): TaskEvent | null {
  try {
    const event = JSON.parse(data) as Partial<TaskEvent> | null;
    if (!event || typeof event !== "object") return null;
    if (event.kind === "updated" && event.task && typeof event.task.id === "string") return event as TaskEvent;
    if (event.kind === "deleted" && typeof event.id === "string") return event as TaskEvent;
    if (event.kind === "cleared" || event.kind === "resync") return event as TaskEvent;
  } catch {
    // a malformed event is ignored; the next refresh corrects the view
  }
  return null;
}

function patchLists(client: QueryClient, task: Task): void {
  client.setQueriesData<TaskPage>({ queryKey: queryKeys.taskLists() }, (page) =>
    page?.items.some((t) => t.id === task.id)
      ? { ...page, items: page.items.map((t) => (t.id === task.id ? newest(t, task) : t)) }
      : page,
  );
}

/** Applies one event to the query cache; `refresh` refetches lists and counts (throttled). */
export function applyTaskEvent(client: QueryClient, event: TaskEvent, refresh: () => void): void {
  if (event.kind === "updated") {
    client.setQueryData<Task>(queryKeys.task(event.task.id), (cached) => newest(cached, event.task));
    patchLists(client, event.task);
  } else if (event.kind === "deleted") {
    void client.invalidateQueries({ queryKey: queryKeys.task(event.id) });
  } else {
    void client.invalidateQueries({ queryKey: queryKeys.tasks() });
  }
  refresh();
}

/**
 * How long to wait before reconnect number `failures + 1`: the server's `retry:` hint (or 1 s),
 * doubled after each failure in a row, at most 30 s, less up to a quarter at random so that many
 * tabs do not all come back at once.
 */
export function reconnectDelay(failures: number, hint: number | null, random: () => number = Math.random): number {
  const base = hint ?? RECONNECT_BASE_MS;
  const delay = Math.min(base * 2 ** Math.min(failures, 16), RECONNECT_MAX_MS);
  return Math.round(delay * (1 - random() / 4));
}

const canStream = () =>
  typeof fetch === "function" && typeof ReadableStream !== "undefined" && typeof TextDecoder !== "undefined";

/** Keeps one event stream open while the tab is visible. Mount once, near the root. */
export function useLiveEvents(): void {
  const client = useQueryClient();
  const visible = usePageVisible();
  const { token, required } = useAuth();

  useEffect(() => {
    if (!visible) {
      setLiveMode("paused");
      return;
    }
    if (!canStream() || required) {
      setLiveMode("polling"); // with `required`, the token prompt is up: nothing would be accepted
      return;
    }
    const refreshAll = () =>
      void client.invalidateQueries({ predicate: (q) => isTaskDataKey(q.queryKey) });
    const refresh = throttle(refreshAll, REFRESH_THROTTLE_MS);
    const closed = new AbortController();
    const parser = new SseParser((message) => {
      if (message.event !== "task") return;
      const event = parseTaskEvent(message.data);
      if (event) applyTaskEvent(client, event, refresh);
    });
    let failures = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const connect = async () => {
      setLiveMode("connecting");
      try {
        await openEventStream({
          url: apiUrl("/api/events"),
          token,
          parser,
          signal: closed.signal,
          onOpen: () => {
            failures = 0;
            setLiveMode("live");
            refreshAll(); // catch up on anything missed while disconnected
          },
        });
      } catch (error) {
        if (closed.signal.aborted) return;
        if (isApiError(error, 401)) {
          markTokenRequired(); // the token prompt opens; a new token starts a new stream
          setLiveMode("polling");
          return;
        }
      }
      if (closed.signal.aborted) return;
      // The stream ended (the server stopped or restarted) or failed: poll, then try again.
      setLiveMode("polling");
      retryTimer = setTimeout(() => void connect(), reconnectDelay(failures++, parser.retry));
    };
    void connect();
    return () => {
      closed.abort();
      refresh.cancel();
      clearTimeout(retryTimer);
    };
  }, [client, visible, token, required]);
}
