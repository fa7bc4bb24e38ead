import type { Task } from "../../api/types";
import { formatAge, formatDuration, formatLocal, parseTime } from "../../utils/time";
import { ProgressBar, showsProgress } from "../ProgressBar/ProgressBar";
import { StatusBadge } from "../StatusBadge/StatusBadge";
import "./TaskTable.css";

interface TaskTableProps {
  tasks: Task[];
  now: number;
  selected: ReadonlySet<string>;
  activeId: string | null;
  loading?: boolean;
  onToggle: (id: string) => void;
  onToggleAll: (select: boolean) => void;
  onOpen: (id: string) => void;
}

/** Total attempts allowed: the first one plus `max_retries` retries. */
export function attemptsLabel(task: Pick<Task, "attempts" | "max_retries">): string {
  return `${task.attempts} / ${task.max_retries + 1}`;
}

/**
 * When a QUEUED task waits for its `next_run_at` (delayed at enqueue, or waiting for an automatic
 * retry after a failure): "runs in 3m" / "retry in 12s", "due now" / "retry due" once the time has
 * come (a worker picks it up next). Null for any other task.
 */
export function scheduleLabel(task: Pick<Task, "status" | "next_run_at" | "last_error">, now: number): string | null {
  if (task.status !== "QUEUED") return null;
  const at = parseTime(task.next_run_at);
  if (!at) return null;
  const retry = Boolean(task.last_error);
  const wait = at.getTime() - now;
  if (wait < 1000) return retry ? "retry due" : "due now";
  return `${retry ? "retry" : "runs"} in ${formatDuration(wait)}`;
}

/** Whether the task shows a schedule label (a countdown: the table then refreshes every second). */
export function hasSchedule(task: Pick<Task, "status" | "next_run_at">): boolean {
  return task.status === "QUEUED" && parseTime(task.next_run_at) !== null;
}

function scheduleNote(task: Task, now: number) {
  const label = scheduleLabel(task, now);
  if (!label || !task.next_run_at) return null;
  return (
    <>
      {" "}
      <time className="task-table__note task-table__schedule" dateTime={task.next_run_at} title={formatLocal(task.next_run_at)}>
        {label}
      </time>
    </>
  );
}

function PriorityCell({ priority }: { priority: number }) {
  const tone = priority > 0 ? " task-table__priority--high" : priority < 0 ? " task-table__priority--low" : "";
  return (
    <td data-col="priority" className={`task-table__priority${tone}`}>
      {priority}
    </td>
  );
}

export function TaskTable({ tasks, now, selected, activeId, loading, onToggle, onToggleAll, onOpen }: TaskTableProps) {
  const allSelected = tasks.length > 0 && tasks.every((t) => selected.has(t.id));
  return (
    <div className="task-table__wrap" aria-busy={loading ? "true" : "false"}>
      <table className="task-table">
        <caption className="visually-hidden">Tasks, newest first</caption>
        <thead>
          <tr>
            <th scope="col" className="task-table__check">
              <input
                type="checkbox"
                aria-label="Select all tasks on this page"
                checked={allSelected}
                disabled={tasks.length === 0}
                onChange={(e) => onToggleAll(e.target.checked)}
              />
            </th>
            <th scope="col">ID</th>
            <th scope="col">Type</th>
            <th scope="col" className="task-table__priority" title="Priority, −100…100: higher runs first">
              Priority
            </th>
            <th scope="col">Status</th>
            <th scope="col" title="Attempts made / attempts allowed">
              Attempts
            </th>
            <th scope="col">Age</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr
              key={task.id}
              data-task-id={task.id}
              className={task.id === activeId ? "task-table__row--active" : undefined}
              aria-selected={task.id === activeId}
            >
              <td className="task-table__check">
                <input
                  type="checkbox"
                  aria-label={`Select ${task.id}`}
                  checked={selected.has(task.id)}
                  onChange={() => onToggle(task.id)}
                />
              </td>
              <td>
                <button type="button" className="task-table__id mono" onClick={() => onOpen(task.id)}>
                  {task.id}
                </button>
              </td>
              <td data-col="type">{task.type}</td>
              <PriorityCell priority={task.priority} />
              <td data-col="status">
                <StatusBadge status={task.status} />
                {task.cancel_requested && task.status === "INPROGRESS" && (
                  <span className="task-table__note"> cancelling…</span>
                )}
                {scheduleNote(task, now)}
                {showsProgress(task) && <ProgressBar compact value={task.progress} message={task.progress_message} />}
              </td>
              <td data-col="attempts">{attemptsLabel(task)}</td>
              <td data-col="age" title={formatLocal(task.created_at)}>
                {formatAge(task.created_at, now)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tasks.length === 0 && (
        <p className="task-table__empty">{loading ? "Loading tasks…" : "No tasks match this view."}</p>
      )}
    </div>
  );
}
