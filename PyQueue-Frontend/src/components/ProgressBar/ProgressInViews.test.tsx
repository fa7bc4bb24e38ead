import { render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { makeTask } from "../../test/fixtures";
import { TaskDetailView } from "../TaskDetail/TaskDetailView";
import { TaskTable } from "../TaskTable/TaskTable";

const now = Date.parse("2026-02-03T15:35:21.123Z");

function renderTable(tasks: ReturnType<typeof makeTask>[]) {
  render(
    <TaskTable
      tasks={tasks}
      now={now}
      selected={new Set()}
      activeId={null}
      onToggle={vi.fn()}
      onToggleAll={vi.fn()}
      onOpen={vi.fn()}
    />,
  );
}

function actions() {
  return { onRetry: vi.fn(), onCancel: vi.fn(), onDelete: vi.fn(), onCopy: vi.fn() };
}

describe("progress in the task table", () => {
  it("shows a bar on running tasks that reported progress, and only there", () => {
    renderTable([
      makeTask({ id: "Task-RUNNING00000000000000000", status: "INPROGRESS", progress: 0.25, progress_message: "step 1" }),
      makeTask({ id: "Task-RUNNINGNOPROGRESS0000000", status: "INPROGRESS", progress: null }),
      makeTask({ id: "Task-DONE000000000000000000000", status: "COMPLETED", progress: 1 }),
    ]);
    const rows = screen.getAllByRole("row").slice(1);
    const bar = within(rows[0]!).getByRole("progressbar");
    expect(bar).toHaveAttribute("aria-valuenow", "25");
    expect(bar).toHaveAttribute("aria-valuetext", "25%: step 1");
    expect(within(rows[1]!).queryByRole("progressbar")).toBeNull();
    expect(within(rows[2]!).queryByRole("progressbar")).toBeNull();
  });
});

describe("progress, timeout and key in the detail panel", () => {
  it("shows the progress bar with its message, the timeout and the idempotency key", () => {
    const task = makeTask({
      status: "INPROGRESS",
      progress: 0.6,
      progress_message: "Uploading",
      timeout_seconds: 30,
      idempotency_key: "order-42",
    });
    const { container } = render(<TaskDetailView task={task} now={now} actions={actions()} />);
    const field = (name: string) => container.querySelector(`[data-field="${name}"]`);
    expect(within(field("progress") as HTMLElement).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "60");
    expect(field("progress")).toHaveTextContent("60%Uploading");
    expect(field("timeout_seconds")).toHaveTextContent("30 s per attempt");
    expect(field("idempotency_key")).toHaveTextContent("order-42");
  });

  it("says so when there is no progress, timeout or key", () => {
    const { container } = render(<TaskDetailView task={makeTask()} now={now} actions={actions()} />);
    const field = (name: string) => container.querySelector(`[data-field="${name}"]`);
    expect(within(field("progress") as HTMLElement).queryByRole("progressbar")).toBeNull();
    expect(field("progress")).toHaveTextContent("—");
    expect(field("timeout_seconds")).toHaveTextContent("none");
    expect(field("idempotency_key")).toHaveTextContent("—");
  });
});
