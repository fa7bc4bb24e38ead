import type { Task } from "../../api/types";
import "./ProgressBar.css";

interface ProgressBarProps {
  /** 0.0 to 1.0, as the handler reported it with `ctx.progress` (clamped for display). */
  value: number;
  message?: string | null;
  /** The table's one-line form: the bar and the percentage, the message as a tooltip. */
  compact?: boolean;
}

/** A whole percentage, 0 to 100 ("42%"); out-of-range or non-finite input is clamped. */
export function percent(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.round(Math.min(1, Math.max(0, value)) * 100);
}

/** Whether a task shows a progress bar: it is running and its attempt reported progress. */
export function showsProgress(task: Pick<Task, "status" | "progress">): task is Pick<Task, "status"> & { progress: number } {
  return task.status === "INPROGRESS" && typeof task.progress === "number";
}

/** How far a running task is, as its handler reported it. */
export function ProgressBar({ value, message, compact }: ProgressBarProps) {
  const pct = percent(value);
  const label = message ? `${pct}%: ${message}` : `${pct}%`;
  return (
    <div className={`progress${compact ? " progress--compact" : ""}`} title={compact ? label : undefined}>
      <div
        className="progress__track"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={label}
        aria-label="Progress"
      >
        <div className="progress__fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="progress__text">{pct}%</span>
      {!compact && message && <span className="progress__message">{message}</span>}
    </div>
  );
}
