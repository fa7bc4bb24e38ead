import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import type { AuditEntry, WhoAmI } from "../../api/operations";
import { createQueryClient } from "../../hooks/queryClient";
import { json, makeTask, mockFetch } from "../../test/fixtures";
import { AuditLog } from "../AuditLog/AuditLog";
import { ConfirmProvider } from "../ConfirmDialog/ConfirmDialog";
import { EnqueueForm } from "../EnqueueForm/EnqueueForm";
import { TaskDetail } from "../TaskDetail/TaskDetail";
import { RequireAdmin } from "./RequireAdmin";
import { RoleBadge } from "./RoleBadge";

const failed = makeTask({ id: "Task-01AAAAAAAAAAAAAAAAAAAAAAAA", status: "FAILED", attempts: 1, max_retries: 0 });
const audit: AuditEntry[] = [
  {
    id: 2,
    at: "2026-02-03T15:34:21Z",
    role: "admin",
    client: "10.0.0.7",
    action: "bulk-delete",
    target: "<img src=x onerror=alert(1)>",
    count: 3,
  },
  { id: 1, at: "2026-02-03T15:30:00Z", role: "admin", client: "10.0.0.7", action: "retry", target: failed.id, count: 1 },
];

function api(who: WhoAmI) {
  return mockFetch((url) => {
    if (url.pathname === "/api/whoami") return json(who);
    if (url.pathname === `/api/jobs/${failed.id}`) return json(failed);
    if (url.pathname === `/api/jobs/${failed.id}/attempts`) return json([]);
    if (url.pathname === "/api/audit") {
      if (who.role !== "admin") return json({ detail: "This needs the admin token" }, { status: 403 });
      return json(audit, { headers: { "X-Total-Count": "2" } });
    }
    return undefined;
  });
}

/** The role badge, the audit log, the enqueue form (behind RequireAdmin) and a task's panel. */
function renderParts() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ConfirmProvider>
        <RoleBadge />
        <RequireAdmin>
          <EnqueueForm types={[{ name: "EMAIL", description: "Simulated e-mail" }]} typesError={null} pending={false} onSubmit={() => {}} />
        </RequireAdmin>
        <TaskDetail id={failed.id} onClose={() => {}} onOpen={() => {}} />
        <AuditLog />
      </ConfirmProvider>
    </QueryClientProvider>,
  );
}

async function taskActions(): Promise<HTMLElement> {
  return screen.findByRole("group", { name: "Task actions" });
}

describe("roles", () => {
  it("a read-only token sees its role and every button that changes something disabled", async () => {
    const { calls } = api({ role: "readonly", auth: true });
    renderParts();
    expect(await screen.findByText("Read-only")).toHaveAttribute("data-role", "readonly");
    const actions = await taskActions();
    for (const name of ["Retry", "Cancel", "Delete"]) {
      expect(within(actions).getByRole("button", { name })).toBeDisabled();
    }
    expect(screen.getByRole("button", { name: "Close task detail" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Enqueue" })).toBeDisabled();
    expect(screen.queryByRole("region", { name: "Audit log" })).toBeNull();
    expect(calls.some((r) => new URL(r.url).pathname === "/api/audit")).toBe(false);
  });

  it("the admin token keeps its buttons and sees the audit log, escaped", async () => {
    api({ role: "admin", auth: true });
    renderParts();
    expect(await screen.findByText("Admin")).toHaveAttribute("data-role", "admin");
    const log = await screen.findByRole("region", { name: "Audit log" });
    const rows = await within(log).findAllByRole("row");
    expect(rows).toHaveLength(3); // the header and two entries, newest first
    expect(rows[1]).toHaveTextContent("bulk-delete");
    expect(rows[1]).toHaveTextContent("10.0.0.7");
    expect(within(rows[1]!).getByText("<img src=x onerror=alert(1)>")).toBeInTheDocument();
    expect(log.querySelector("img")).toBeNull();
    expect(rows[2]).toHaveTextContent("retry");
    await waitFor(async () => expect(within(await taskActions()).getByRole("button", { name: "Retry" })).toBeEnabled());
  });

  it("a server without a token says so", async () => {
    api({ role: "admin", auth: false });
    render(
      <QueryClientProvider client={createQueryClient()}>
        <RoleBadge />
      </QueryClientProvider>,
    );
    expect(await screen.findByText("Open (no token)")).toBeInTheDocument();
  });
});
