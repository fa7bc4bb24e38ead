/** One function per REST endpoint; each returns data or throws an ApiError. */
import { call, client } from "./client";
import type {
  BulkAction,
  BulkResult,
  EnqueueInput,
  Stats,
  Task,
  TaskPage,
  TaskQuery,
  TaskTypeInfo,
  ThroughputPoint,
} from "./types";

function filterParams(status: string | null, type: string | null) {
  return {
    ...(status ? { status } : {}),
    ...(type ? { type } : {}),
  } as { status?: Task["status"]; type?: string };
}

export async function listTasks(query: TaskQuery): Promise<TaskPage> {
  const { data, response } = await call(
    client.GET("/api/jobs", {
      params: {
        query: {
          ...filterParams(query.status, query.type),
          limit: query.limit,
          offset: query.offset,
          order: "desc",
          ...(query.cursor ? { cursor: query.cursor } : {}),
        },
      },
    }),
  );
  const header = response.headers.get("X-Total-Count");
  const total = header === null ? query.offset + data.length : Number(header);
  return {
    items: data,
    total: Number.isFinite(total) ? total : data.length,
    nextCursor: response.headers.get("X-Next-Cursor"),
  };
}

export async function countTasks(status: string | null, type: string | null): Promise<number> {
  const page = await listTasks({ status: status as Task["status"] | null, type, limit: 1, offset: 0 });
  return page.total;
}

export async function getTask(id: string): Promise<Task> {
  return (await call(client.GET("/api/jobs/{task_id}", { params: { path: { task_id: id } } }))).data;
}

/** The body as the schema types it: `priority` spelled out (0, the server's default, when left out). */
function enqueueBody(input: EnqueueInput) {
  return { ...input, priority: input.priority ?? 0 };
}

export async function enqueueTask(input: EnqueueInput): Promise<Task> {
  return (await call(client.POST("/api/enqueue", { body: enqueueBody(input) }))).data;
}

/**
 * Enqueue one task, saying whether it was created: with an `idempotency_key` that a task already
 * has, the server answers that task with 200 (not 201) and creates nothing.
 */
export async function enqueueOnce(input: EnqueueInput): Promise<{ task: Task; created: boolean }> {
  const { data, response } = await call(client.POST("/api/enqueue", { body: enqueueBody(input) }));
  return { task: data, created: response.status === 201 };
}

export async function enqueueBatch(tasks: EnqueueInput[]): Promise<Task[]> {
  return (await call(client.POST("/api/enqueue/batch", { body: { tasks: tasks.map(enqueueBody) } }))).data;
}

export async function retryTask(id: string): Promise<Task> {
  return (await call(client.POST("/api/jobs/{task_id}/retry", { params: { path: { task_id: id } } }))).data;
}

export async function cancelTask(id: string): Promise<Task> {
  return (await call(client.POST("/api/jobs/{task_id}/cancel", { params: { path: { task_id: id } } }))).data;
}

export async function deleteTask(id: string): Promise<{ message: string; id: string }> {
  return (await call(client.DELETE("/api/jobs/{task_id}", { params: { path: { task_id: id } } }))).data;
}

export async function bulkAction(action: BulkAction, ids: string[]): Promise<BulkResult> {
  return (await call(client.POST("/api/jobs/bulk", { body: { action, ids } }))).data;
}

export async function retryAllFailed(type: string | null): Promise<{ count: number; message: string }> {
  return (
    await call(client.POST("/api/jobs/retry-failed", { params: { query: filterParams(null, type) } }))
  ).data;
}

export async function clearTasks(
  status: string | null,
  type: string | null,
): Promise<{ message: string; removed: number }> {
  return (await call(client.POST("/api/clear", { params: { query: filterParams(status, type) } }))).data;
}

export async function getStats(): Promise<Stats> {
  return (await call(client.GET("/api/stats"))).data;
}

export async function getThroughput(minutes: number): Promise<ThroughputPoint[]> {
  return (await call(client.GET("/api/stats/throughput", { params: { query: { minutes } } }))).data;
}

export async function getTaskTypes(): Promise<TaskTypeInfo[]> {
  return (await call(client.GET("/api/types"))).data;
}
