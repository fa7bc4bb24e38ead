/**
 * The attempt history of one task, and the pause state of the queue and of each task type, with
 * the pause / resume actions (each with a toast).
 *
 * Attempts live under the "tasks" key family and are keyed by the task's version, so every live
 * task event (or poll) refreshes them with the task. Pauses are not on the event stream: they are polled every few seconds.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getQueueState, listAttempts, listTypeStates, setQueuePaused, setTypePaused } from "../api/control";
import { queryKeys } from "./queryKeys";
import { toast } from "./toast";
import { usePollInterval } from "./useLiveEvents";

export const controlKeys = {
  attempts: (id: string, version: string) => [...queryKeys.root, "tasks", "attempts", id, version] as const,
  pauses: () => [...queryKeys.root, "pauses"] as const,
  queue: () => [...queryKeys.root, "pauses", "queue"] as const,
  types: () => [...queryKeys.root, "pauses", "types"] as const,
};

/** Another process (or tab) may pause or resume: refresh that often. */
export const PAUSE_POLL_MS = 5000;

/**
 * The attempts of task `id` as of its snapshot `version` (its `updated_at`): each change of the
 * task that the event stream or a poll brings loads them again, the previous list shown meanwhile.
 */
export function useAttempts(id: string, version: string) {
  const refetchInterval = usePollInterval();
  return useQuery({
    queryKey: controlKeys.attempts(id, version),
    queryFn: () => listAttempts(id),
    placeholderData: keepPreviousData,
    refetchInterval,
  });
}

export function useQueueState() {
  return useQuery({ queryKey: controlKeys.queue(), queryFn: getQueueState, refetchInterval: PAUSE_POLL_MS });
}

export function useTypeStates() {
  return useQuery({ queryKey: controlKeys.types(), queryFn: listTypeStates, refetchInterval: PAUSE_POLL_MS });
}

function useRefreshPauses() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: controlKeys.pauses() }),
      client.invalidateQueries({ queryKey: queryKeys.types() }),
    ]);
}

export function usePauseQueue() {
  const refresh = useRefreshPauses();
  return useMutation({
    mutationFn: (paused: boolean) => setQueuePaused(paused),
    meta: { action: "Pause queue" },
    onSuccess: (state) => {
      toast.success(state.paused ? "Queue paused: no task starts until it is resumed" : "Queue resumed");
      return refresh();
    },
  });
}

export function usePauseType() {
  const refresh = useRefreshPauses();
  return useMutation({
    mutationFn: ({ name, paused }: { name: string; paused: boolean }) => setTypePaused(name, paused),
    meta: { action: "Pause type" },
    onSuccess: (state) => {
      toast.success(state.paused ? `Paused ${state.name}: its tasks wait QUEUED` : `Resumed ${state.name}`);
      return refresh();
    },
  });
}
