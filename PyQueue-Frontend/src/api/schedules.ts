/** The schedules endpoints (periodic tasks): each returns data or throws an ApiError. */
import { call, client } from "./client";
import type { Schedule, ScheduleInput } from "./types";

export type { Schedule, ScheduleInput };

export async function listSchedules(): Promise<Schedule[]> {
  return (await call(client.GET("/api/schedules"))).data;
}

export async function createSchedule(input: ScheduleInput): Promise<Schedule> {
  return (await call(client.POST("/api/schedules", { body: input }))).data;
}

export async function setSchedulePaused(id: string, paused: boolean): Promise<Schedule> {
  return (
    await call(
      client.PATCH("/api/schedules/{schedule_id}", {
        params: { path: { schedule_id: id } },
        body: { paused },
      }),
    )
  ).data;
}

export async function deleteSchedule(id: string): Promise<void> {
  await call(client.DELETE("/api/schedules/{schedule_id}", { params: { path: { schedule_id: id } } }));
}
