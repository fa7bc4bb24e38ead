/** Friendly names for the generated schema types. */
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type Task = Schemas["TaskOut"];
export type Schedule = Schemas["ScheduleOut"];
export type ScheduleInput = Schemas["ScheduleIn"];
export type TaskStatus = Task["status"];
export type Stats = Schemas["StatsOut"];
export type ThroughputPoint = Schemas["MinuteOut"];
/** A task type as the enqueue form and filters need it (the pause fields are optional there). */
export type TaskTypeInfo = Pick<Schemas["TaskTypeOut"], "name" | "description"> & Partial<Schemas["TaskTypeOut"]>;
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
  /** The previous page's `nextCursor`: this page starts just past it (then `offset` is 0). */
  cursor?: string | null;
}

export interface TaskPage {
  items: Task[];
  total: number;
  /** The server's `X-Next-Cursor`: where the next page starts (only on a full page). */
  nextCursor: string | null;
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
/** The longest execution timeout of one attempt: 7 days. */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
/** The longest idempotency key, in characters. */
export const MAX_IDEMPOTENCY_KEY = 200;

/** A message of the `/api/events` stream. */
export type TaskEvent =
  | { kind: "updated"; task: Task }
  | { kind: "deleted"; id: string }
  | { kind: "cleared" }
  /** The server could not replay what was missed (or restarted): reload everything. */
  | { kind: "resync" };
