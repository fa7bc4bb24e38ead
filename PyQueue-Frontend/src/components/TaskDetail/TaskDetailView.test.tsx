import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeTask } from "../../test/fixtures";
import { formatLocal } from "../../utils/time";
import { TaskDetailView } from "./TaskDetailView";

const XSS = "<img src=x onerror=alert(1)>";
const now = Date.parse("2026-02-03T15:35:00Z");

function actions() {
  return { onRetry: vi.fn(), onCancel: vi.fn(), onDelete: vi.fn(), onCopy: vi.fn() };
}

describe("TaskDetailView", () => {
  it("renders an HTML payload literally, as text", () => {
    const task = makeTask({
      payload: XSS,
      result: { html: XSS },
      last_error: `${XSS} failed`,
      type: "<script>alert(2)</script>",
    });
    const { container } = render(<TaskDetailView task={task} now={now} actions={actions()} />);
    expect(screen.getByLabelText("Payload")).toHaveTextContent(`"${XSS}"`);
    expect(screen.getByLabelText("Result")).toHaveTextContent(XSS);
    expect(screen.getByLabelText("Last error")).toHaveTextContent(`${XSS} failed`);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
  });

  it("shows every field, timestamps in local time, and pretty JSON", () => {
    const task = makeTask({
      status: "QUEUED",
      attempts: 2,
      max_retries: 3,
      started_at: "2026-02-03T15:34:22Z",
      next_run_at: "2026-02-03T15:35:08Z",
      last_error: "boom",
      payload: { to: "ada@example.com", n: [1, 2] },
    });
    const { container } = render(<TaskDetailView task={task} now={now} actions={actions()} />);
    const field = (name: string) => container.querySelector(`[data-field="${name}"]`);
    expect(field("attempts")).toHaveTextContent("2 / 4");
    expect(field("max_retries")).toHaveTextContent("3");
    expect(field("created_at")).toHaveTextContent(formatLocal(task.created_at));
    expect(field("started_at")).toHaveTextContent(formatLocal(task.started_at));
    expect(field("next_run_at")).toHaveTextContent(`${formatLocal(task.next_run_at)} (retry in 8s)`);
    expect(field("priority")).toHaveTextContent("0");
    expect(screen.getByLabelText("Payload").textContent).toBe(JSON.stringify(task.payload, null, 2));
    expect(screen.getByText("Retry scheduled (in 8s)")).toBeInTheDocument();
  });

  it("offers retry only for failed or cancelled tasks and cancel only while unfinished", async () => {
    const user = userEvent.setup();
    const handlers = actions();
    const { rerender } = render(<TaskDetailView task={makeTask({ status: "FAILED" })} now={now} actions={handlers} />);
    expect(screen.getByRole("button", { name: "Retry" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Cancel" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(handlers.onRetry).toHaveBeenCalled();

    rerender(<TaskDetailView task={makeTask({ status: "INPROGRESS" })} now={now} actions={handlers} />);
    expect(screen.getByRole("button", { name: "Retry" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(handlers.onCancel).toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Enqueue a copy" }));
    expect(handlers.onCopy).toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Delete" }));
    expect(handlers.onDelete).toHaveBeenCalled();
  });

  it("builds a status timeline from the timestamps", () => {
    const task = makeTask({
      status: "COMPLETED",
      attempts: 1,
      started_at: "2026-02-03T15:34:22Z",
      finished_at: "2026-02-03T15:34:24Z",
    });
    render(<TaskDetailView task={task} now={now} actions={actions()} />);
    const items = screen.getByRole("list").querySelectorAll("li");
    expect([...items].map((li) => li.querySelector("span")?.textContent)).toEqual([
      "Enqueued",
      "Attempt 1 started",
      "Completed",
    ]);
  });

  it("shows the priority and when a delayed task is scheduled to run", () => {
    const task = makeTask({ status: "QUEUED", priority: 42, next_run_at: "2026-02-03T15:38:00Z" });
    const { container } = render(<TaskDetailView task={task} now={now} actions={actions()} />);
    const field = (name: string) => container.querySelector(`[data-field="${name}"]`);
    expect(field("priority")).toHaveTextContent("42");
    expect(screen.getByText("Scheduled for")).toBeInTheDocument();
    expect(field("next_run_at")).toHaveTextContent(`${formatLocal(task.next_run_at)} (runs in 3m)`);
    expect(field("next_run_at")?.querySelector("time")).toHaveAttribute("dateTime", task.next_run_at);
    expect(screen.getByText("Scheduled to run (in 3m)")).toBeInTheDocument();
  });
});
