import type { Task } from "../../api/types";
import { formatAge, formatLocal } from "../../utils/time";
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
              <td data-col="status">
                <StatusBadge status={task.status} />
                {task.cancel_requested && task.status === "INPROGRESS" && (
                  <span className="task-table__note"> cancelling…</span>
                )}
                {task.status === "QUEUED" && task.next_run_at && (
                  <span className="task-table__note"> retry pending</span>
                )}
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
