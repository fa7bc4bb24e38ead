import { errorMessage } from "../../api/errors";
import type { Schedule } from "../../api/schedules";
import { useTaskTypes } from "../../hooks/queries";
import { useNow } from "../../hooks/useNow";
import { useCreateSchedule, useDeleteSchedule, usePauseSchedule, useSchedules } from "../../hooks/useSchedules";
import { useConfirm } from "../ConfirmDialog/ConfirmDialog";
import { SchedulesView } from "./SchedulesView";

/** The Schedules panel: data and actions for {@link SchedulesView}. */
export function Schedules() {
  const schedules = useSchedules();
  const types = useTaskTypes();
  const now = useNow(1000);
  const create = useCreateSchedule();
  const pause = usePauseSchedule();
  const remove = useDeleteSchedule();
  const confirm = useConfirm();

  const onDelete = async (schedule: Schedule) => {
    const ok = await confirm({
      title: "Delete this schedule?",
      message: `${schedule.t_type} (${schedule.cron}, ${schedule.timezone}) will no longer be enqueued. Tasks it already enqueued stay.${
        schedule.source === "code" ? " It is declared in code: a process that declares it writes it back when it starts." : ""
      }`,
      confirmLabel: "Delete schedule",
      danger: true,
    });
    if (ok) remove.mutate(schedule);
  };

  const busyId = pause.isPending ? pause.variables?.id : remove.isPending ? remove.variables?.id : null;

  return (
    <SchedulesView
      schedules={schedules.data}
      error={schedules.isError ? errorMessage(schedules.error) : null}
      types={types.data}
      now={now}
      creating={create.isPending}
      busyId={busyId ?? null}
      onCreate={(input) => create.mutate(input)}
      onPause={(schedule, paused) => pause.mutate({ id: schedule.id, paused })}
      onDelete={(schedule) => void onDelete(schedule)}
    />
  );
}
