import type { Task } from "../api/types";

/**
 * The newer of two versions of one task, by `updated_at` (the incoming one on a tie). A list or
 * task fetched before an event arrives can land after it; keeping the newer version stops the
 * dashboard from stepping back (a progress bar going 60% → 40%, a status going back).
 */
export function newest(current: Task | undefined, incoming: Task): Task {
  if (!current || current.id !== incoming.id) return incoming;
  const was = Date.parse(current.updated_at);
  const now = Date.parse(incoming.updated_at);
  if (Number.isNaN(was) || Number.isNaN(now)) return incoming;
  return was > now ? current : incoming;
}
