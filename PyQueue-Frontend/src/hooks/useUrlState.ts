/**
 * The dashboard's view (filters, page, open task) lives in the URL query string, so a view can
 * be shared and survives reload: ?status=FAILED&type=EMAIL&page=2&size=25&task=Task-…
 */
import { useCallback, useMemo, useSyncExternalStore } from "react";
import { isTaskStatus, type TaskStatus } from "../api/types";

export interface ViewState {
  status: TaskStatus | null;
  type: string | null;
  page: number;
  pageSize: number;
  task: string | null;
}

export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 25;
const URL_CHANGE = "pyqueue:urlchange";

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function parseView(search: string): ViewState {
  const params = new URLSearchParams(search);
  const status = params.get("status")?.toUpperCase() ?? null;
  const size = positiveInt(params.get("size"), DEFAULT_PAGE_SIZE);
  return {
    status: isTaskStatus(status) ? status : null,
    type: params.get("type") || null,
    page: positiveInt(params.get("page"), 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
    task: params.get("task") || null,
  };
}

export function serializeView(view: ViewState): string {
  const params = new URLSearchParams();
  if (view.status) params.set("status", view.status);
  if (view.type) params.set("type", view.type);
  if (view.page > 1) params.set("page", String(view.page));
  if (view.pageSize !== DEFAULT_PAGE_SIZE) params.set("size", String(view.pageSize));
  if (view.task) params.set("task", view.task);
  const query = params.toString();
  return query ? `?${query}` : "";
}

function subscribe(listener: () => void): () => void {
  window.addEventListener("popstate", listener);
  window.addEventListener(URL_CHANGE, listener);
  return () => {
    window.removeEventListener("popstate", listener);
    window.removeEventListener(URL_CHANGE, listener);
  };
}

const getSearch = () => window.location.search;

export type ViewUpdate = Partial<ViewState>;

/** Applies a change; a filter change goes back to page 1. */
export function nextView(current: ViewState, patch: ViewUpdate): ViewState {
  const filterChanged =
    ("status" in patch && patch.status !== current.status) ||
    ("type" in patch && patch.type !== current.type) ||
    ("pageSize" in patch && patch.pageSize !== current.pageSize);
  const next = { ...current, ...patch };
  if (filterChanged && !("page" in patch)) next.page = 1;
  return next;
}

export function useUrlState(): [ViewState, (patch: ViewUpdate, options?: { replace?: boolean }) => void] {
  const search = useSyncExternalStore(subscribe, getSearch, () => "");
  const view = useMemo(() => parseView(search), [search]);
  const update = useCallback((patch: ViewUpdate, options?: { replace?: boolean }) => {
    const next = nextView(parseView(window.location.search), patch);
    const url = `${window.location.pathname}${serializeView(next)}${window.location.hash}`;
    if (options?.replace) window.history.replaceState(null, "", url);
    else window.history.pushState(null, "", url);
    window.dispatchEvent(new Event(URL_CHANGE));
  }, []);
  return [view, update];
}
