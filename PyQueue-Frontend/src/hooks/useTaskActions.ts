/**
 * Write hooks. Every action refreshes the task data and reports its outcome in a toast; errors
 * go to the global handler (see queryClient.ts) through `meta.action`.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  bulkAction,
  cancelTask,
  clearTasks,
  deleteTask,
  enqueueOnce,
  retryAllFailed,
  retryTask,
} from "../api/tasks";
import type { BulkAction, BulkResult, EnqueueInput, Task } from "../api/types";
import { plural } from "../utils/plural";
import { isTaskDataKey, queryKeys } from "./queryKeys";
import { toast } from "./toast";

function useRefresh() {
  const client = useQueryClient();
  return (task?: Task) => {
    if (task) client.setQueryData(queryKeys.task(task.id), task);
    return client.invalidateQueries({ predicate: (q) => isTaskDataKey(q.queryKey) });
  };
}

export function useEnqueue() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (input: EnqueueInput) => enqueueOnce(input),
    meta: { action: "Enqueue" },
    onSuccess: ({ task, created }) => {
      if (created) toast.success(`Enqueued ${task.id} (${task.type})`);
      else toast.info(`Already enqueued as ${task.id} (${task.type}): its idempotency key is in use`);
      return refresh(task);
    },
  });
}

export function useRetry() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (id: string) => retryTask(id),
    meta: { action: "Retry" },
    onSuccess: (task) => {
      toast.success(`Retrying ${task.id}`);
      return refresh(task);
    },
  });
}

export function useCancel() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (id: string) => cancelTask(id),
    meta: { action: "Cancel" },
    onSuccess: (task) => {
      toast.success(
        task.status === "CANCELLED" ? `Cancelled ${task.id}` : `Cancellation requested for ${task.id}`,
      );
      return refresh(task);
    },
  });
}

export function useDelete() {
  const refresh = useRefresh();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteTask(id),
    meta: { action: "Delete" },
    onSuccess: (_result, id) => {
      toast.success(`Deleted ${id}`);
      client.removeQueries({ queryKey: queryKeys.task(id) });
      return refresh();
    },
  });
}

const BULK_VERB: Record<BulkAction, string> = { retry: "Retried", cancel: "Cancelled", delete: "Deleted" };

export function summarizeBulk(action: BulkAction, result: BulkResult): string {
  const head = `${BULK_VERB[action]} ${plural(result.succeeded, "task")}`;
  if (result.failed === 0) return head;
  const reasons = [
    ...new Set(result.results.filter((r) => !r.ok).map((r) => r.detail ?? "unknown error")),
  ];
  return `${head}; ${result.failed} failed: ${reasons.slice(0, 3).join("; ")}`;
}

export function useBulk() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ action, ids }: { action: BulkAction; ids: string[] }) => bulkAction(action, ids),
    meta: { action: "Bulk action" },
    onSuccess: (result, { action }) => {
      const message = summarizeBulk(action, result);
      if (result.failed > 0) toast.error(message);
      else toast.success(message);
      return refresh();
    },
  });
}

export function useRetryAllFailed() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (type: string | null) => retryAllFailed(type),
    meta: { action: "Retry all failed" },
    onSuccess: (result) => {
      toast.success(`Retrying ${plural(result.count, "failed task")}`);
      return refresh();
    },
  });
}

export function useClear() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ status, type }: { status: string | null; type: string | null }) => clearTasks(status, type),
    meta: { action: "Clear" },
    onSuccess: (result) => {
      toast.success(`Removed ${plural(result.removed, "task")}`);
      return refresh();
    },
  });
}
