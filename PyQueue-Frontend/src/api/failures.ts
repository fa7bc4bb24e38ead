/** The dead-letter endpoints: failure groups, retrying one, editing a failed task's payload. */
import { call, client } from "./client";
import type { components } from "./schema.gen";
import type { Task } from "./types";

export type FailureGroup = components["schemas"]["FailureGroupOut"];

export async function listFailureGroups(limit: number): Promise<FailureGroup[]> {
  return (await call(client.GET("/api/failures", { params: { query: { limit } } }))).data;
}

export async function retryFailureGroup(group: Pick<FailureGroup, "error" | "t_type">): Promise<{ count: number; message: string }> {
  return (await call(client.POST("/api/failures/retry", { body: { error: group.error, t_type: group.t_type } }))).data;
}

/** Replace a FAILED or CANCELLED task's payload (409 for any other status). */
export async function editTaskPayload(id: string, payload: unknown): Promise<Task> {
  return (
    await call(
      client.PATCH("/api/jobs/{task_id}", {
        params: { path: { task_id: id } },
        body: { payload: payload as Task["payload"] },
      }),
    )
  ).data;
}
