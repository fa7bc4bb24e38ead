import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeTask } from "../../test/fixtures";
import { scheduleLabel, TaskTable } from "./TaskTable";

const now = Date.parse("2026-02-03T15:35:21.123Z");
const tasks = [
  makeTask({ id: "Task-AAAAAAAAAAAAAAAAAAAAAAAAAA", status: "FAILED", attempts: 4, type: "FAILABS" }),
  makeTask({ id: "Task-BBBBBBBBBBBBBBBBBBBBBBBBBB", status: "COMPLETED", attempts: 1, type: "SMS" }),
];

function cellOf(id: string, col: string) {
  return document.querySelector(`tr[data-task-id="${id}"] [data-col="${col}"]`);
}

type TableProps = Partial<Parameters<typeof TaskTable>[0]>;

/** Renders the table with `props` over defaults; `rerender` replaces some of them. */
function renderTable(props: TableProps = {}) {
  const handlers = { onToggle: vi.fn(), onToggleAll: vi.fn(), onOpen: vi.fn() };
  const table = (more: TableProps) => (
    <TaskTable tasks={tasks} now={now} selected={new Set()} activeId={null} {...handlers} {...props} {...more} />
  );
  const { rerender } = render(table({}));
  return { ...handlers, rerender: (more: TableProps) => rerender(table(more)) };
}

describe("TaskTable", () => {
  it("shows each task's full id, type, status, attempts and age", () => {
    renderTable();
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    const first = within(rows[0]!);
    expect(first.getByRole("button", { name: "Task-AAAAAAAAAAAAAAAAAAAAAAAAAA" })).toBeInTheDocument();
    expect(first.getByText("FAILABS")).toBeInTheDocument();
    expect(first.getByText("FAILED")).toHaveClass("status-badge--failed");
    expect(first.getByText("4 / 4")).toBeInTheDocument(); // attempts / (max_retries + 1)
    expect(first.getByText("1m")).toBeInTheDocument();
  });

  it("opens a task and toggles selection from labelled controls", async () => {
    const user = userEvent.setup();
    const handlers = renderTable();
    await user.click(screen.getByRole("button", { name: "Task-BBBBBBBBBBBBBBBBBBBBBBBBBB" }));
    expect(handlers.onOpen).toHaveBeenCalledWith("Task-BBBBBBBBBBBBBBBBBBBBBBBBBB");
    await user.click(screen.getByRole("checkbox", { name: "Select Task-AAAAAAAAAAAAAAAAAAAAAAAAAA" }));
    expect(handlers.onToggle).toHaveBeenCalledWith("Task-AAAAAAAAAAAAAAAAAAAAAAAAAA");
    await user.click(screen.getByRole("checkbox", { name: "Select all tasks on this page" }));
    expect(handlers.onToggleAll).toHaveBeenCalledWith(true);
  });

  it("marks the select-all box when every row is selected", () => {
    renderTable({ selected: new Set(tasks.map((t) => t.id)) });
    expect(screen.getByRole("checkbox", { name: "Select all tasks on this page" })).toBeChecked();
  });

  it("says so when no task matches", () => {
    renderTable({ tasks: [] });
    expect(screen.getByText("No tasks match this view.")).toBeInTheDocument();
  });

  it("renders task data as text, never as markup", () => {
    const { container } = render(
      <TaskTable
        tasks={[makeTask({ type: "<b>bold</b>" })]}
        now={now}
        selected={new Set()}
        activeId={null}
        onToggle={vi.fn()}
        onToggleAll={vi.fn()}
        onOpen={vi.fn()}
      />,
    );
    expect(screen.getByText("<b>bold</b>")).toBeInTheDocument();
    expect(container.querySelector("b")).toBeNull();
  });

  it("shows each task's priority, emphasising only non-zero values", () => {
    renderTable({
      tasks: [
        makeTask({ id: "Task-HIGH", priority: 75 }),
        makeTask({ id: "Task-ZERO", priority: 0 }),
        makeTask({ id: "Task-LOW", priority: -20 }),
      ],
    });
    expect(screen.getByRole("columnheader", { name: "Priority" })).toBeInTheDocument();
    expect(cellOf("Task-HIGH", "priority")).toHaveTextContent("75");
    expect(cellOf("Task-HIGH", "priority")).toHaveClass("task-table__priority--high");
    expect(cellOf("Task-ZERO", "priority")).toHaveTextContent("0");
    expect(cellOf("Task-ZERO", "priority")).not.toHaveClass("task-table__priority--high");
    expect(cellOf("Task-ZERO", "priority")).not.toHaveClass("task-table__priority--low");
    expect(cellOf("Task-LOW", "priority")).toHaveTextContent("-20");
    expect(cellOf("Task-LOW", "priority")).toHaveClass("task-table__priority--low");
  });

  it('says "runs in …" on a delayed QUEUED task, "retry in …" while it waits for a retry', () => {
    const inThreeMinutes = new Date(now + 3 * 60_000).toISOString();
    const { rerender } = renderTable({
      tasks: [
        makeTask({ id: "Task-DELAYED", status: "QUEUED", next_run_at: inThreeMinutes }),
        makeTask({ id: "Task-RETRY", status: "QUEUED", next_run_at: new Date(now + 12_000).toISOString(), last_error: "boom" }),
        makeTask({ id: "Task-NOW", status: "QUEUED" }),
      ],
    });
    expect(cellOf("Task-DELAYED", "status")).toHaveTextContent("QUEUED runs in 3m");
    expect(cellOf("Task-DELAYED", "status")?.querySelector("time")).toHaveAttribute("dateTime", inThreeMinutes);
    expect(cellOf("Task-RETRY", "status")).toHaveTextContent("QUEUED retry in 12s");
    expect(cellOf("Task-NOW", "status")).toHaveTextContent(/^QUEUED$/);

    // Re-rendered with a later `now` (the useNow tick) the countdown moves on.
    rerender({
      tasks: [makeTask({ id: "Task-DELAYED", status: "QUEUED", next_run_at: inThreeMinutes })],
      now: now + 2 * 60_000 + 15_000,
    });
    expect(cellOf("Task-DELAYED", "status")).toHaveTextContent("QUEUED runs in 45s");
  });
});

describe("scheduleLabel", () => {
  const at = new Date(now + 5_000).toISOString();
  it("counts down only for QUEUED tasks with a next_run_at", () => {
    expect(scheduleLabel({ status: "QUEUED", next_run_at: at, last_error: null }, now)).toBe("runs in 5s");
    expect(scheduleLabel({ status: "QUEUED", next_run_at: at, last_error: "x" }, now)).toBe("retry in 5s");
    expect(scheduleLabel({ status: "QUEUED", next_run_at: null, last_error: null }, now)).toBeNull();
    expect(scheduleLabel({ status: "INPROGRESS", next_run_at: at, last_error: null }, now)).toBeNull();
  });

  it("says the task is due once its time has come", () => {
    expect(scheduleLabel({ status: "QUEUED", next_run_at: at, last_error: null }, now + 6_000)).toBe("due now");
    expect(scheduleLabel({ status: "QUEUED", next_run_at: at, last_error: "x" }, now + 6_000)).toBe("retry due");
  });
});
