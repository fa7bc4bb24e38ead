/**
 * Dead letters: the FAILED tasks grouped by error, retrying one group, and editing a failed task's
 * payload then retrying it (each action with a toast).
 *
 * The groups live under the "tasks" key family, so every live task event (or poll) and every task
 * action refreshes them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { editTaskPayload, listFailureGroups, retryFailureGroup, type FailureGroup } from "../api/failures";
import { retryTask } from "../api/tasks";
import type { Task } from "../api/types";
import { plural } from "../utils/plural";
import { isTaskDataKey, queryKeys } from "./queryKeys";
import { toast } from "./toast";
import { usePollInterval } from "./useLiveEvents";

export const failureKeys = {
  groups: (limit: number) => [...queryKeys.root, "tasks", "failures", limit] as const,
};

/** How many groups the FAILED view shows (the largest first). */
export const FAILURE_GROUP_LIMIT = 20;

export function useFailureGroups(enabled = true) {
  const refetchInterval = usePollInterval();
  return useQuery({
    queryKey: failureKeys.groups(FAILURE_GROUP_LIMIT),
    queryFn: () => listFailureGroups(FAILURE_GROUP_LIMIT),
    enabled,
    refetchInterval,
  });
}

function useRefreshTasks() {
  const client = useQueryClient();
  return (task?: Task) => {
    if (task) client.setQueryData(queryKeys.task(task.id), task);
    return client.invalidateQueries({ predicate: (q) => isTaskDataKey(q.queryKey) });
  };
}

export function useRetryFailureGroup() {
  const refresh = useRefreshTasks();
  return useMutation({
    mutationFn: (group: FailureGroup) => retryFailureGroup(group),
    meta: { action: "Retry group" },
    onSuccess: (result, group) => {
      toast.success(`Retrying ${plural(result.count, `failed ${group.t_type} task`)}`);
      return refresh();
    },
  });
}

/** Save a new payload, then retry the task by hand (FAILED or CANCELLED tasks only). */
export function useEditAndRetry() {
  const refresh = useRefreshTasks();
  return useMutation({
    mutationFn: async ({ id, payload }: { id: string; payload: unknown }) => {
      await editTaskPayload(id, payload);
      return retryTask(id);
    },
    meta: { action: "Edit and retry" },
    onSuccess: (task) => {
      toast.success(`Retrying ${task.id} with the edited payload`);
      return refresh(task);
    },
  });
}
