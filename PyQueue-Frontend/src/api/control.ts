/** The control endpoints (attempt history, pauses): each returns data or throws an ApiError. */
import { call, client } from "./client";
import type { components } from "./schema.gen";

export type Attempt = components["schemas"]["AttemptOut"];
export type AttemptOutcome = Attempt["outcome"];
export type QueueState = components["schemas"]["QueueStateOut"];
export type TypeState = components["schemas"]["TaskTypeOut"];

export async function listAttempts(id: string): Promise<Attempt[]> {
  return (await call(client.GET("/api/jobs/{task_id}/attempts", { params: { path: { task_id: id } } }))).data;
}

export async function getQueueState(): Promise<QueueState> {
  return (await call(client.GET("/api/queue"))).data;
}

export async function setQueuePaused(paused: boolean): Promise<QueueState> {
  const request = paused ? client.POST("/api/queue/pause") : client.POST("/api/queue/resume");
  return (await call(request)).data;
}

export async function listTypeStates(): Promise<TypeState[]> {
  return (await call(client.GET("/api/types"))).data;
}

export async function setTypePaused(name: string, paused: boolean): Promise<TypeState> {
  const params = { params: { path: { name } } };
  const request = paused ? client.POST("/api/types/{name}/pause", params) : client.POST("/api/types/{name}/resume", params);
  return (await call(request)).data;
}
