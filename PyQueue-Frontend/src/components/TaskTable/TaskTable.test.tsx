import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeTask } from "../../test/fixtures";
import { TaskTable } from "./TaskTable";

const now = Date.parse("2026-02-03T15:35:21.123Z");
const tasks = [
  makeTask({ id: "Task-AAAAAAAAAAAAAAAAAAAAAAAAAA", status: "FAILED", attempts: 4, type: "FAILABS" }),
  makeTask({ id: "Task-BBBBBBBBBBBBBBBBBBBBBBBBBB", status: "COMPLETED", attempts: 1, type: "SMS" }),
];

function renderTable(props: Partial<Parameters<typeof TaskTable>[0]> = {}) {
  const handlers = { onToggle: vi.fn(), onToggleAll: vi.fn(), onOpen: vi.fn() };
  render(<TaskTable tasks={tasks} now={now} selected={new Set()} activeId={null} {...handlers} {...props} />);
  return handlers;
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
});
