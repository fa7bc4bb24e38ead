import type { TaskStatus } from "../../api/types";
import "./StatusBadge.css";

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={`status-badge status-badge--${status.toLowerCase()}`} data-status={status}>
      {status}
    </span>
  );
}
