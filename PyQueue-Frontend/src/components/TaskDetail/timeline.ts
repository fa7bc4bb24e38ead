import type { Task } from "../../api/types";

export interface TimelineEntry {
  label: string;
  at: string;
  tone: "queued" | "inprogress" | "completed" | "failed" | "cancelled";
  pending?: boolean;
}

const FINAL_TONE = { COMPLETED: "completed", FAILED: "failed", CANCELLED: "cancelled" } as const;

/** The task's life so far, oldest first, from its timestamps. */
export function buildTimeline(task: Task): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ label: "Enqueued", at: task.created_at, tone: "queued" }];
  if (task.started_at) {
    const attempt = Math.max(task.attempts, 1);
    entries.push({ label: `Attempt ${attempt} started`, at: task.started_at, tone: "inprogress" });
  }
  if (task.status === "QUEUED" && task.next_run_at) {
    const label = task.last_error ? "Retry scheduled" : "Scheduled to run";
    entries.push({ label, at: task.next_run_at, tone: "queued", pending: true });
  }
  if (task.finished_at && task.status in FINAL_TONE) {
    const status = task.status as keyof typeof FINAL_TONE;
    const label = status.charAt(0) + status.slice(1).toLowerCase();
    entries.push({ label, at: task.finished_at, tone: FINAL_TONE[status] });
  }
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
