/** Timestamps arrive as ISO 8601 UTC; people read them in their own time zone. */

const localFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export function parseTime(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "3 Feb 2026, 16:34:21 CET" in the viewer's locale and time zone; "—" when absent. */
export function formatLocal(iso: string | null | undefined): string {
  const date = parseTime(iso);
  return date ? localFormat.format(date) : "—";
}

/** "16:34" in the viewer's time zone. */
export function formatClock(date: Date): string {
  return timeFormat.format(date);
}

/** A compact duration: "4s", "12m", "3h", "2d". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** Age of a timestamp relative to `now`, e.g. "12s". */
export function formatAge(iso: string | null | undefined, now: number): string {
  const date = parseTime(iso);
  return date ? formatDuration(now - date.getTime()) : "—";
}

/** "in 5s" / "5s ago". */
export function formatRelative(iso: string | null | undefined, now: number): string {
  const date = parseTime(iso);
  if (!date) return "—";
  const delta = date.getTime() - now;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}
