/** Schedules (periodic tasks): the list, polled (schedules are not on the event stream), and the
 * create / pause / delete actions, each with a toast. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createSchedule,
  deleteSchedule,
  listSchedules,
  type Schedule,
  type ScheduleInput,
  setSchedulePaused,
} from "../api/schedules";
import { queryKeys } from "./queryKeys";
import { toast } from "./toast";

export const scheduleKeys = {
  all: () => [...queryKeys.root, "schedules"] as const,
};

/** Next and last runs move on by themselves: refresh every few seconds. */
export const SCHEDULE_POLL_MS = 5000;

export function useSchedules() {
  return useQuery({ queryKey: scheduleKeys.all(), queryFn: listSchedules, refetchInterval: SCHEDULE_POLL_MS });
}

function useRefreshSchedules() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: scheduleKeys.all() });
}

export function useCreateSchedule() {
  const refresh = useRefreshSchedules();
  return useMutation({
    mutationFn: (input: ScheduleInput) => createSchedule(input),
    meta: { action: "Create schedule" },
    onSuccess: (schedule: Schedule) => {
      toast.success(`Scheduled ${schedule.t_type} (${schedule.cron})`);
      return refresh();
    },
  });
}

export function usePauseSchedule() {
  const refresh = useRefreshSchedules();
  return useMutation({
    mutationFn: ({ id, paused }: { id: string; paused: boolean }) => setSchedulePaused(id, paused),
    meta: { action: "Pause schedule" },
    onSuccess: (schedule: Schedule) => {
      toast.success(`${schedule.paused ? "Paused" : "Resumed"} ${schedule.t_type} (${schedule.cron})`);
      return refresh();
    },
  });
}

export function useDeleteSchedule() {
  const refresh = useRefreshSchedules();
  return useMutation({
    mutationFn: (schedule: Schedule) => deleteSchedule(schedule.id),
    meta: { action: "Delete schedule" },
    onSuccess: (_: void, schedule: Schedule) => {
      toast.success(`Deleted the ${schedule.t_type} schedule (${schedule.cron})`);
      return refresh();
    },
  });
}
