/** Read hooks: each wraps one endpoint with its query key and the live/polling policy. */
import { keepPreviousData, type QueryClient, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  countTasks,
  getStats,
  getTask,
  getTaskTypes,
  getThroughput,
  listTasks,
} from "../api/tasks";
import { STATUSES, type Task, type TaskQuery, type TaskStatus } from "../api/types";
import { newest } from "../utils/newest";
import { queryKeys } from "./queryKeys";
import { usePollInterval } from "./useLiveEvents";

/** A fetched task, unless an event already brought a newer version of it (see `newest`). */
function latest(client: QueryClient, task: Task): Task {
  return newest(client.getQueryData<Task>(queryKeys.task(task.id)), task);
}

export function useTaskList(query: TaskQuery) {
  const refetchInterval = usePollInterval();
  const client = useQueryClient();
  return useQuery({
    queryKey: queryKeys.taskList(query),
    queryFn: async () => {
      const page = await listTasks(query);
      return { ...page, items: page.items.map((task) => latest(client, task)) };
    },
    placeholderData: keepPreviousData,
    refetchInterval,
  });
}

export function useTask(id: string | null) {
  const refetchInterval = usePollInterval();
  const client = useQueryClient();
  return useQuery({
    queryKey: queryKeys.task(id ?? ""),
    queryFn: async () => latest(client, await getTask(id ?? "")),
    enabled: Boolean(id),
    refetchInterval,
  });
}

export function useStats() {
  const refetchInterval = usePollInterval();
  return useQuery({ queryKey: queryKeys.stats(), queryFn: getStats, refetchInterval });
}

export function useThroughput(minutes: number) {
  // The per-minute chart also needs time to advance when nothing happens: refresh each 30 s.
  const poll = usePollInterval();
  return useQuery({
    queryKey: queryKeys.throughput(minutes),
    queryFn: () => getThroughput(minutes),
    refetchInterval: poll === false ? 30_000 : poll,
  });
}

export function useTaskTypes() {
  return useQuery({ queryKey: queryKeys.types(), queryFn: getTaskTypes, staleTime: 5 * 60_000 });
}

export type StatusCounts = Record<TaskStatus, number> & { all: number };

/**
 * Counts for the status tabs. Without a type filter they come from /api/stats; with one, from
 * one small `limit=1` list query per status (X-Total-Count).
 */
export function useStatusCounts(type: string | null): StatusCounts | undefined {
  const stats = useStats();
  const refetchInterval = usePollInterval();
  const keys = [null, ...STATUSES] as const;
  const perStatus = useQueries({
    queries: keys.map((status) => ({
      queryKey: queryKeys.taskCount(status, type),
      queryFn: () => countTasks(status, type),
      enabled: type !== null,
      refetchInterval,
    })),
  });
  if (type === null) {
    if (!stats.data) return undefined;
    const byStatus = stats.data.by_status as Partial<Record<TaskStatus, number>>;
    const counts = { all: stats.data.total } as StatusCounts;
    for (const status of STATUSES) counts[status] = byStatus[status] ?? 0;
    return counts;
  }
  if (perStatus.some((q) => q.data === undefined)) return undefined;
  const counts = { all: perStatus[0]?.data ?? 0 } as StatusCounts;
  STATUSES.forEach((status, i) => {
    counts[status] = perStatus[i + 1]?.data ?? 0;
  });
  return counts;
}
