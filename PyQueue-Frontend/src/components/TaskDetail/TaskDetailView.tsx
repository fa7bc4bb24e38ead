import type { Task } from "../../api/types";
import { formatLocal, formatRelative } from "../../utils/time";
import { JsonBlock } from "../JsonBlock/JsonBlock";
import { ProgressBar } from "../ProgressBar/ProgressBar";
import { StatusBadge } from "../StatusBadge/StatusBadge";
import { attemptsLabel, scheduleLabel } from "../TaskTable/TaskTable";
import { buildTimeline } from "./timeline";
import "./TaskDetail.css";

export interface TaskDetailActions {
  onRetry: () => void;
  onCancel: () => void;
  onDelete: () => void;
  onCopy: () => void;
  busy?: boolean;
}

export function canRetry(task: Task): boolean {
  return task.status === "FAILED" || task.status === "CANCELLED";
}

export function canCancel(task: Task): boolean {
  return (task.status === "QUEUED" || task.status === "INPROGRESS") && !task.cancel_requested;
}

function Field({ label, children, name }: { label: string; children: React.ReactNode; name: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-field={name}>{children}</dd>
    </>
  );
}

/** Every field of one task, rendered as text. */
export function TaskDetailView({
  task,
  now,
  actions,
  history,
}: {
  task: Task;
  now: number;
  actions: TaskDetailActions;
  /** Shown under the timeline: every attempt (see AttemptList). */
  history?: React.ReactNode;
}) {
  return (
    <article className="task-detail" aria-label={`Task ${task.id}`}>
      <header className="task-detail__header">
        <h3 className="task-detail__id mono">{task.id}</h3>
        <StatusBadge status={task.status} />
      </header>

      <div className="task-detail__actions" role="group" aria-label="Task actions">
        <button type="button" onClick={actions.onRetry} disabled={actions.busy || !canRetry(task)}>
          Retry
        </button>
        <button type="button" onClick={actions.onCancel} disabled={actions.busy || !canCancel(task)}>
          Cancel
        </button>
        <button type="button" onClick={actions.onCopy} disabled={actions.busy}>
          Enqueue a copy
        </button>
        <button type="button" className="danger" onClick={actions.onDelete} disabled={actions.busy}>
          Delete
        </button>
      </div>

      <dl className="task-detail__fields">
        <Field label="Type" name="type">{task.type}</Field>
        <Field label="Status" name="status">
          {task.status}
          {task.cancel_requested && task.status === "INPROGRESS" ? " (cancel requested)" : ""}
        </Field>
        <Field label="Priority" name="priority">{task.priority}</Field>
        <Field label="Attempts" name="attempts">{attemptsLabel(task)}</Field>
        <Field label="Max retries" name="max_retries">{task.max_retries}</Field>
        <Field label="Created" name="created_at">{formatLocal(task.created_at)}</Field>
        <Field label="Updated" name="updated_at">{formatLocal(task.updated_at)}</Field>
        <Field label="Started" name="started_at">{formatLocal(task.started_at)}</Field>
        <Field label="Finished" name="finished_at">{formatLocal(task.finished_at)}</Field>
        <Field label={task.last_error ? "Next retry" : "Scheduled for"} name="next_run_at">
          {task.next_run_at ? (
            <>
              <time dateTime={task.next_run_at}>{formatLocal(task.next_run_at)}</time> (
              {scheduleLabel(task, now) ?? formatRelative(task.next_run_at, now)})
            </>
          ) : (
            "—"
          )}
        </Field>
        <Field label="Cancel requested" name="cancel_requested">{task.cancel_requested ? "yes" : "no"}</Field>
        <Field label="Progress" name="progress">
          {typeof task.progress === "number" ? (
            <ProgressBar value={task.progress} message={task.progress_message} />
          ) : (
            "—"
          )}
        </Field>
        <Field label="Timeout" name="timeout_seconds">
          {task.timeout_seconds == null ? "none" : `${task.timeout_seconds} s per attempt`}
        </Field>
        <Field label="Idempotency key" name="idempotency_key">
          {task.idempotency_key ?? "—"}
        </Field>
      </dl>

      <section aria-label="Status timeline">
        <h4>Timeline</h4>
        <ol className="task-detail__timeline">
          {buildTimeline(task).map((entry) => (
            <li key={`${entry.label}-${entry.at}`} className={`timeline--${entry.tone}`}>
              <span className="task-detail__timeline-label">
                {entry.label}
                {entry.pending ? ` (${formatRelative(entry.at, now)})` : ""}
              </span>
              <time dateTime={entry.at}>{formatLocal(entry.at)}</time>
            </li>
          ))}
        </ol>
      </section>
      {history}

      <section>
        <h4>Payload</h4>
        <JsonBlock value={task.payload} label="Payload" />
      </section>
      <section>
        <h4>Result</h4>
        <JsonBlock value={task.result} label="Result" />
      </section>
      <section>
        <h4>Last error</h4>
        {task.last_error ? (
          <pre className="task-detail__error" aria-label="Last error">
            {task.last_error}
          </pre>
        ) : (
          <p className="muted">None</p>
        )}
      </section>
    </article>
  );
}
