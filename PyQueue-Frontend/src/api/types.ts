/** Friendly names for the generated schema types. */
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type Task = Schemas["TaskOut"];
export type TaskStatus = Task["status"];
export type Stats = Schemas["StatsOut"];
export type ThroughputPoint = Schemas["MinuteOut"];
export type TaskTypeInfo = Schemas["TaskTypeOut"];
export type BulkAction = Schemas["BulkRequest"]["action"];
export type BulkResult = Schemas["BulkOut"];

export const STATUSES = [
  "QUEUED",
  "INPROGRESS",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
] as const satisfies readonly TaskStatus[];

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === "string" && (STATUSES as readonly string[]).includes(value);
}

/** Server-side filter and page of the task list. */
export interface TaskQuery {
  status: TaskStatus | null;
  type: string | null;
  limit: number;
  offset: number;
}

export interface TaskPage {
  items: Task[];
  total: number;
}

type EnqueueRequest = Schemas["EnqueueRequest"];
/**
 * The enqueue body. openapi-typescript types a property with a default as required
 * (`defaultNonNullable`), but the server fills `priority` in (0) when it is left out.
 */
export type EnqueueInput = Omit<EnqueueRequest, "priority"> & Partial<Pick<EnqueueRequest, "priority">>;

/** Bounds of a task's priority (the API's contract). */
export const PRIORITY_MIN = -100;
export const PRIORITY_MAX = 100;
/** How far ahead a task may be delayed: 365 days. */
export const MAX_DELAY_SECONDS = 365 * 24 * 3600;

/** A message of the `/api/events` stream. */
export type TaskEvent =
  | { kind: "updated"; task: Task }
  | { kind: "deleted"; id: string }
  | { kind: "cleared" }
  /** The server could not replay what was missed (or restarted): reload everything. */
  | { kind: "resync" };
