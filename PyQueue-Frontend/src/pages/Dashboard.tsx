import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { errorMessage } from "../api/errors";
import { AuditLog } from "../components/AuditLog/AuditLog";
import { EnqueueForm } from "../components/EnqueueForm/EnqueueForm";
import { LiveIndicator } from "../components/LiveIndicator/LiveIndicator";
import { Overview } from "../components/Overview/Overview";
import { PauseControls } from "../components/PauseControls/PauseControls";
import { RequireAdmin } from "../components/RoleBadge/RequireAdmin";
import { RoleBadge } from "../components/RoleBadge/RoleBadge";
import { Schedules } from "../components/Schedules/Schedules";
import { TaskDetail } from "../components/TaskDetail/TaskDetail";
import { TasksPanel } from "../components/TasksPanel/TasksPanel";
import { TokenPrompt } from "../components/TokenPrompt/TokenPrompt";
import { useTaskTypes } from "../hooks/queries";
import { useEnqueue } from "../hooks/useTaskActions";
import { useLiveEvents } from "../hooks/useLiveEvents";
import { type ViewUpdate, useUrlState } from "../hooks/useUrlState";
import "./Dashboard.css";

export function Dashboard() {
  const client = useQueryClient();
  const [view, setView] = useUrlState();
  const onView = useCallback((patch: ViewUpdate) => setView(patch), [setView]);
  const types = useTaskTypes();
  const enqueue = useEnqueue();
  useLiveEvents();

  return (
    <div className="dashboard">
      <header className="dashboard__header">
        <h1>
          <img src="/favicon.svg" alt="" width="22" height="22" /> PyQueue
        </h1>
        <LiveIndicator />
        <RoleBadge />
        <nav className="dashboard__links" aria-label="API links">
          <a href="/docs">API docs</a>
          <a href="/openapi.json">OpenAPI</a>
        </nav>
      </header>
      <main className="dashboard__main">
        <div className="dashboard__top">
          <Overview />
          <RequireAdmin>
            <EnqueueForm
              types={types.data?.filter((t) => t.registered !== false)}
              typesError={types.isError ? errorMessage(types.error) : null}
              pending={enqueue.isPending}
              onSubmit={(input) => enqueue.mutate(input)}
            />
          </RequireAdmin>
        </div>
        <div className={view.task ? "dashboard__body dashboard__body--detail" : "dashboard__body"}>
          <TasksPanel view={view} onView={onView} />
          {view.task && (
            <TaskDetail
              key={view.task}
              id={view.task}
              onClose={() => setView({ task: null })}
              onOpen={(task) => setView({ task })}
            />
          )}
        </div>
        <RequireAdmin>
          <PauseControls />
          <Schedules />
        </RequireAdmin>
        <AuditLog />
      </main>
      <TokenPrompt onSaved={() => void client.invalidateQueries()} />
    </div>
  );
}
