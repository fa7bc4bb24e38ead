/**
 * Live updates from `GET /api/events` (server-sent events). Each task event updates the cached
 * task at once and schedules a throttled refetch of lists and counts. While the stream is down
 * the queries poll instead (see usePollInterval); while the tab is hidden both pause.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useAuth } from "../api/auth";
import { apiUrl } from "../api/client";
import type { Task, TaskEvent, TaskPage } from "../api/types";
import { createStore, useStore } from "../utils/store";
import { throttle } from "../utils/throttle";
import { usePageVisible } from "./usePageVisible";
import { isTaskDataKey, queryKeys } from "./queryKeys";

export type LiveMode = "connecting" | "live" | "polling" | "paused";

export const POLL_INTERVAL_MS = 3000;
const RECONNECT_DELAY_MS = 10_000;
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
      ? { ...page, items: page.items.map((t) => (t.id === task.id ? task : t)) }
      : page,
  );
}

/** Applies one event to the query cache; `refresh` refetches lists and counts (throttled). */
export function applyTaskEvent(client: QueryClient, event: TaskEvent, refresh: () => void): void {
  if (event.kind === "updated") {
    client.setQueryData(queryKeys.task(event.task.id), event.task);
    patchLists(client, event.task);
  } else if (event.kind === "deleted") {
    void client.invalidateQueries({ queryKey: queryKeys.task(event.id) });
  } else {
    void client.invalidateQueries({ queryKey: queryKeys.tasks() });
  }
  refresh();
}

function eventsUrl(token: string | null): string {
  const url = apiUrl("/api/events");
  return token ? `${url}?access_token=${encodeURIComponent(token)}` : url;
}

/** Keeps one EventSource open while the tab is visible. Mount once, near the root. */
export function useLiveEvents(): void {
  const client = useQueryClient();
  const visible = usePageVisible();
  const { token, required } = useAuth();

  useEffect(() => {
    if (!visible) {
      setLiveMode("paused");
      return;
    }
    if (typeof EventSource === "undefined" || required) {
      setLiveMode("polling");
      return;
    }
    const refreshAll = () =>
      void client.invalidateQueries({ predicate: (q) => isTaskDataKey(q.queryKey) });
    const refresh = throttle(refreshAll, REFRESH_THROTTLE_MS);
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let source: EventSource | null = null;

    const onTask = (message: MessageEvent<string>) => {
      const event = parseTaskEvent(message.data);
      if (event) applyTaskEvent(client, event, refresh);
    };
    const connect = () => {
      const current = new EventSource(eventsUrl(token));
      source = current;
      setLiveMode("connecting");
      current.addEventListener("open", () => {
        setLiveMode("live");
        refreshAll(); // catch up on anything missed while disconnected
      });
      current.addEventListener("task", onTask as EventListener);
      current.addEventListener("error", () => {
        // The browser reconnects by itself (sending Last-Event-ID) unless the stream is closed
        // for good (e.g. HTTP error): then poll and try again later.
        setLiveMode("polling");
        if (current.readyState === EventSource.CLOSED) retryTimer = setTimeout(connect, RECONNECT_DELAY_MS);
      });
    };
    connect();
    return () => {
      refresh.cancel();
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [client, visible, token, required]);
}
