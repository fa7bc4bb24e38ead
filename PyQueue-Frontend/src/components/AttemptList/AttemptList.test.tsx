import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Attempt } from "../../api/control";
import { createQueryClient } from "../../hooks/queryClient";
import { json, mockFetch } from "../../test/fixtures";
import { AttemptList, AttemptListView, attemptDuration } from "./AttemptList";

const ID = "Task-01JDZ8Q3M4X7K2B9C5N6P8R0ST";

function attempt(overrides: Partial<Attempt>): Attempt {
  return {
    number: 1,
    started_at: "2026-02-03T15:34:21.000Z",
    finished_at: "2026-02-03T15:34:21.250Z",
    worker: "host:42:abcd1234",
    outcome: "COMPLETED",
    error: null,
    traceback: null,
    ...overrides,
  };
}

const history: Attempt[] = [
  attempt({
    number: 1,
    outcome: "RETRY",
    error: "ValueError: flaky failure 1",
    traceback: 'Traceback (most recent call last):\n  File "tasks.py", line 3\nValueError: <b>flaky</b> 1',
  }),
  attempt({ number: 2, outcome: "LEASE_EXPIRED", error: "Lease expired during attempt 2", worker: "other:7:ffff" }),
  attempt({ number: 3, outcome: "RUNNING", finished_at: null, started_at: "2026-02-03T15:35:00.000Z" }),
];

describe("AttemptListView", () => {
  it("shows every attempt in order with its outcome, worker, error and duration", () => {
    const now = Date.parse("2026-02-03T15:35:04.000Z");
    render(<AttemptListView attempts={history} now={now} />);
    const items = screen.getAllByRole("listitem");
    expect(items.map((li) => li.getAttribute("aria-label"))).toEqual([
      "Attempt 1: Failed, retry scheduled",
      "Attempt 2: Lease expired (worker stopped or hung)",
      "Attempt 3: Running",
    ]);
    expect(within(items[0]!).getByText("ValueError: flaky failure 1")).toBeInTheDocument();
    expect(within(items[0]!).getByText("took 250 ms")).toBeInTheDocument();
    expect(within(items[1]!).getByText("other:7:ffff")).toBeInTheDocument();
    expect(within(items[2]!).getByText("running for 4s")).toBeInTheDocument();
  });

  it("keeps the traceback folded and shows it as text, never as HTML", async () => {
    const { container } = render(<AttemptListView attempts={history} now={0} />);
    const details = container.querySelector("details")!;
    expect(details.open).toBe(false);
    await userEvent.click(screen.getByText("Traceback"));
    expect(details.open).toBe(true);
    expect(details.querySelector("pre")!.textContent).toContain("ValueError: <b>flaky</b> 1");
    expect(container.querySelector("b")).toBeNull();
  });

  it("says so when no attempt has started", () => {
    render(<AttemptListView attempts={[]} now={0} />);
    expect(screen.getByText("No attempt has started yet.")).toBeInTheDocument();
  });

  it("formats a finished attempt's duration", () => {
    expect(attemptDuration(attempt({ finished_at: "2026-02-03T15:34:33.000Z" }), 0)).toBe("took 12s");
  });
});

describe("AttemptList", () => {
  it("loads the task's attempts through the API client", async () => {
    const { calls } = mockFetch((url) =>
      url.pathname === `/api/jobs/${ID}/attempts` ? json(history.slice(0, 2)) : undefined,
    );
    render(
      <QueryClientProvider client={createQueryClient()}>
        <AttemptList taskId={ID} version="2026-02-03T15:34:21.250Z" now={0} />
      </QueryClientProvider>,
    );
    expect(await screen.findByRole("heading", { name: "Attempts (2)" })).toBeInTheDocument();
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    expect(calls.map((r) => new URL(r.url).pathname)).toEqual([`/api/jobs/${ID}/attempts`]);
  });
});
