import { isApiError, errorMessage } from "../../api/errors";
import { useTask } from "../../hooks/queries";
import { useCancel, useDelete, useEnqueue, useRetry } from "../../hooks/useTaskActions";
import { useNow } from "../../hooks/useNow";
import { useReadOnly } from "../../hooks/useRole";
import { AttemptList } from "../AttemptList/AttemptList";
import { useConfirm } from "../ConfirmDialog/ConfirmDialog";
import { PayloadEditor } from "../PayloadEditor/PayloadEditor";
import { TaskDetailView } from "./TaskDetailView";
import "./TaskDetail.css";

interface TaskDetailProps {
  id: string;
  onClose: () => void;
  onOpen: (id: string) => void;
}

/** The side panel for one task: loads it, keeps it live, and offers its actions. */
export function TaskDetail({ id, onClose, onOpen }: TaskDetailProps) {
  const query = useTask(id);
  const now = useNow(1000);
  const confirm = useConfirm();
  const retry = useRetry();
  const cancel = useCancel();
  const remove = useDelete();
  const enqueue = useEnqueue();
  const readOnly = useReadOnly(); // a read-only token may not retry, cancel, copy or delete
  const busy = retry.isPending || cancel.isPending || remove.isPending || enqueue.isPending || readOnly;
  const task = query.data;

  const onDelete = async () => {
    const ok = await confirm({
      title: "Delete task?",
      message: `Delete ${id}? Queued or running work is cancelled.`,
      confirmLabel: "Delete",
      danger: true,
    });
    if (ok) remove.mutate(id, { onSuccess: onClose });
  };

  const onCopy = () => {
    if (!task) return;
    enqueue.mutate(
      {
        payload: task.payload,
        t_type: task.type,
        max_retries: task.max_retries,
        // The copy keeps the priority and runs now (no delay).
        ...(task.priority ? { priority: task.priority } : {}),
      },
      { onSuccess: (copy) => onOpen(copy.task.id) },
    );
  };

  return (
    <section className="card task-detail-panel" aria-label="Task detail">
      <div className="task-detail-panel__bar">
        <h2>Task detail</h2>
        <button type="button" onClick={onClose} aria-label="Close task detail">
          Close
        </button>
      </div>
      {query.isPending && <p className="muted">Loading {id}…</p>}
      {query.isError && (
        <p role="alert" className="task-detail__missing">
          {isApiError(query.error, 404) ? `Task ${id} was not found (it may have been deleted).` : errorMessage(query.error)}
        </p>
      )}
      {task && (
        <TaskDetailView
          task={task}
          now={now}
          history={<AttemptList taskId={task.id} version={task.updated_at} now={now} />}
          actions={{
            onRetry: () => retry.mutate(task.id),
            onCancel: () => cancel.mutate(task.id),
            onDelete: () => void onDelete(),
            onCopy,
            busy,
          }}
        />
      )}
      {task && <PayloadEditor key={task.id} task={task} />}
    </section>
  );
}
