import { useEffect, useState } from "react";
import type { BulkAction } from "../../api/types";
import { errorMessage } from "../../api/errors";
import { countTasks } from "../../api/tasks";
import { useStatusCounts, useTaskList, useTaskTypes } from "../../hooks/queries";
import { useBulk, useClear, useRetryAllFailed } from "../../hooks/useTaskActions";
import { useConfirmWithCount } from "../../hooks/useConfirmWithCount";
import { useNow } from "../../hooks/useNow";
import { useReadOnly } from "../../hooks/useRole";
import type { ViewState, ViewUpdate } from "../../hooks/useUrlState";
import { plural } from "../../utils/plural";
import { BulkBar } from "../BulkBar/BulkBar";
import { FailureGroups } from "../FailureGroups/FailureGroups";
import { useConfirm } from "../ConfirmDialog/ConfirmDialog";
import { Pagination } from "../Pagination/Pagination";
import { StatusTabs } from "../StatusTabs/StatusTabs";
import { TaskFilters } from "../TaskFilters/TaskFilters";
import { hasSchedule, TaskTable } from "../TaskTable/TaskTable";
import "./TasksPanel.css";

interface TasksPanelProps {
  view: ViewState;
  onView: (patch: ViewUpdate) => void;
}

function describeFilter(view: ViewState): string {
  const parts = [view.status, view.type].filter(Boolean);
  return parts.length ? ` matching ${parts.join(" + ")}` : "";
}

/** Filters, the task table with selection and bulk actions, and paging. */
export function TasksPanel({ view, onView }: TasksPanelProps) {
  const confirm = useConfirm();
  const types = useTaskTypes();
  const counts = useStatusCounts(view.type);
  // Keyset paging: a page reached by Next (or back by Previous) starts at the cursor its previous
  // page returned, as cheap at page 2,000 as at page 1; a page opened directly uses the offset.
  const cursorKey = `${view.status}|${view.type}|${view.pageSize}`;
  const [cursors, setCursors] = useState<{ key: string; byPage: Record<number, string> }>({ key: cursorKey, byPage: {} });
  const byPage = cursors.key === cursorKey ? cursors.byPage : {};
  const cursor = view.page > 1 ? byPage[view.page] : undefined;
  const query = cursor
    ? { status: view.status, type: view.type, limit: view.pageSize, offset: 0, cursor }
    : { status: view.status, type: view.type, limit: view.pageSize, offset: (view.page - 1) * view.pageSize };
  const list = useTaskList(query);
  const nextCursor = list.isPlaceholderData ? null : (list.data?.nextCursor ?? null);
  const goToPage = (page: number) => {
    if (page === view.page + 1 && nextCursor) {
      setCursors((prev) => ({
        key: cursorKey,
        byPage: { ...(prev.key === cursorKey ? prev.byPage : {}), [page]: nextCursor },
      }));
    }
    onView({ page });
  };
  const bulk = useBulk();
  const retryFailed = useRetryAllFailed();
  const clear = useClear();
  const readOnly = useReadOnly(); // a read-only token may not change anything
  // The selection belongs to one view (filter + page); changing the view starts a new one.
  const viewKey = `${view.status}|${view.type}|${view.page}|${view.pageSize}`;
  const [selection, setSelection] = useState<{ key: string; ids: Set<string> }>({ key: viewKey, ids: new Set() });
  const selected = selection.key === viewKey ? selection.ids : new Set<string>();
  const setSelected = (update: Set<string> | ((prev: Set<string>) => Set<string>)) =>
    setSelection((prev) => {
      const current = prev.key === viewKey ? prev.ids : new Set<string>();
      return { key: viewKey, ids: typeof update === "function" ? update(current) : update };
    });
  const total = list.data?.total ?? 0;
  const tasks = list.data?.items ?? [];
  // Ages tick every 5 s; "runs in 45s" countdowns every second.
  const now = useNow(tasks.some(hasSchedule) ? 1000 : 5000);

  // A page past the end (after deletes) moves back to the last page.
  useEffect(() => {
    const lastPage = Math.max(1, Math.ceil(total / view.pageSize));
    if (list.data && !list.isPlaceholderData && view.page > lastPage) onView({ page: lastPage });
  }, [list.data, list.isPlaceholderData, total, view.page, view.pageSize, onView]);

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const toggleAll = (select: boolean) => setSelected(select ? new Set(tasks.map((t) => t.id)) : new Set());

  const runBulk = async (action: BulkAction) => {
    const ids = [...selected];
    if (action === "delete") {
      const ok = await confirm({
        title: "Delete tasks?",
        message: `Delete ${plural(ids.length, "task")}? Queued or running work is cancelled.`,
        confirmLabel: `Delete ${plural(ids.length, "task")}`,
        danger: true,
      });
      if (!ok) return;
    }
    bulk.mutate({ action, ids }, { onSuccess: () => setSelected(new Set()) });
  };

  const ofType = view.type ? ` of type ${view.type}` : "";
  const confirmRetryAllFailed = useConfirmWithCount({
    count: () => countTasks("FAILED", view.type),
    countError: "Could not count failed tasks",
    empty: `No failed tasks${ofType} to retry`,
    dialog: (failed) => ({
      title: "Retry all failed tasks?",
      message: `Retry ${plural(failed, "failed task")}${ofType}?`,
      confirmLabel: `Retry ${plural(failed, "task")}`,
    }),
    onConfirm: () => retryFailed.mutate(view.type),
  });

  const confirmClear = useConfirmWithCount({
    count: () => countTasks(view.status, view.type),
    countError: "Could not count tasks",
    empty: "Nothing to clear",
    dialog: (matching) => ({
      title: "Clear tasks?",
      message: `Remove ${plural(matching, "task")}${describeFilter(view)}? Queued or running work is cancelled.`,
      confirmLabel: `Clear ${plural(matching, "task")}`,
      danger: true,
    }),
    onConfirm: () => clear.mutate({ status: view.status, type: view.type }),
  });

  return (
    <section className="card tasks-panel" aria-label="Tasks">
      <div className="tasks-panel__head">
        <h2>Tasks</h2>
        {list.isFetching && list.isPlaceholderData && <span className="tasks-panel__spinner" aria-label="Refreshing" />}
      </div>
      <StatusTabs value={view.status} counts={counts} onChange={(status) => onView({ status })} />
      <TaskFilters
        type={view.type}
        types={types.data ?? []}
        onTypeChange={(type) => onView({ type })}
        onLookup={(task) => onView({ task })}
      />
      <BulkBar
        selectedCount={selected.size}
        busy={bulk.isPending || retryFailed.isPending || clear.isPending || readOnly}
        onBulk={(action) => void runBulk(action)}
        onClearSelection={() => setSelected(new Set())}
        onRetryAllFailed={() => void confirmRetryAllFailed()}
        onClearMatching={() => void confirmClear()}
      />
      {view.status === "FAILED" && (
        <FailureGroups type={view.type} now={now} onShowType={(type) => onView({ type })} />
      )}
      {list.isError && !list.data ? (
        <p role="alert" className="tasks-panel__error">
          Could not load tasks: {errorMessage(list.error)}
        </p>
      ) : (
        <TaskTable
          tasks={tasks}
          now={now}
          selected={selected}
          activeId={view.task}
          loading={list.isPending}
          onToggle={toggle}
          onToggleAll={toggleAll}
          onOpen={(task) => onView({ task })}
        />
      )}
      <Pagination
        page={view.page}
        pageSize={view.pageSize}
        total={total}
        onPage={goToPage}
        onPageSize={(pageSize) => onView({ pageSize })}
      />
    </section>
  );
}
