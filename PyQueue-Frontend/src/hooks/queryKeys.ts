/** One place for every TanStack Query key, so invalidation can target whole families. */
import type { TaskQuery } from "../api/types";

const root = ["pyqueue"] as const;

export const queryKeys = {
  root,
  tasks: () => [...root, "tasks"] as const,
  taskLists: () => [...root, "tasks", "list"] as const,
  taskList: (query: TaskQuery) => [...root, "tasks", "list", query] as const,
  taskCounts: () => [...root, "tasks", "count"] as const,
  taskCount: (status: string | null, type: string | null) =>
    [...root, "tasks", "count", { status, type }] as const,
  task: (id: string) => [...root, "tasks", "detail", id] as const,
  stats: () => [...root, "stats"] as const,
  throughput: (minutes: number) => [...root, "stats", "throughput", minutes] as const,
  types: () => [...root, "types"] as const,
  whoami: () => [...root, "whoami"] as const,
  audit: (limit: number, offset: number) => [...root, "audit", { limit, offset }] as const,
};

/** Everything that changes when tasks change (all but the type list). */
export function isTaskDataKey(key: readonly unknown[]): boolean {
  return key[0] === root[0] && (key[1] === "tasks" || key[1] === "stats");
}
