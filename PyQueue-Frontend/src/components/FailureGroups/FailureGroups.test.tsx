import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { FailureGroup } from "../../api/failures";
import { createQueryClient } from "../../hooks/queryClient";
import { json, mockFetch } from "../../test/fixtures";
import { Toaster } from "../Toaster/Toaster";
import { FailureGroups, FailureGroupsView, groupLabel } from "./FailureGroups";

const now = Date.parse("2026-02-03T15:00:00Z");

function group(overrides: Partial<FailureGroup>): FailureGroup {
  return {
    error: "ValueError: bad address",
    t_type: "EMAIL",
    count: 3,
    latest_at: "2026-02-03T14:59:00Z",
    ...overrides,
  };
}

const groups = [
  group({}),
  group({ error: "KeyError: <b>'to'</b>", t_type: "REPORT", count: 1, latest_at: "2026-02-03T14:00:00Z" }),
  group({ error: null, t_type: "EMAIL", count: 1 }),
];

describe("FailureGroupsView", () => {
  it("lists each group with its count, error, type and latest failure", () => {
    render(<FailureGroupsView groups={groups} now={now} busy={false} onRetry={() => {}} onShowType={() => {}} />);
    const items = screen.getAllByRole("listitem");
    expect(items.map((li) => li.getAttribute("aria-label"))).toEqual([
      "EMAIL: ValueError: bad address",
      "REPORT: KeyError: <b>'to'</b>",
      "EMAIL: (no error message)",
    ]);
    expect(within(items[0]!).getByText("3")).toBeInTheDocument();
    expect(within(items[0]!).getByText(/last failed 1m ago/)).toBeInTheDocument();
    expect(within(items[1]!).getByText(/last failed 1h ago/)).toBeInTheDocument();
  });

  it("shows an error as text, never as markup", () => {
    const { container } = render(
      <FailureGroupsView groups={groups} now={now} busy={false} onRetry={() => {}} onShowType={() => {}} />,
    );
    expect(container.querySelector("b")).toBeNull();
    expect(screen.getByText("KeyError: <b>'to'</b>")).toBeInTheDocument();
  });

  it("retries the group whose button is pressed, and filters by its type on request", async () => {
    const onRetry = vi.fn();
    const onShowType = vi.fn();
    render(<FailureGroupsView groups={groups} now={now} busy={false} onRetry={onRetry} onShowType={onShowType} />);
    await userEvent.click(screen.getByRole("button", { name: "Retry this group: 1 failed REPORT task" }));
    expect(onRetry).toHaveBeenCalledWith(groups[1]);
    await userEvent.click(screen.getAllByRole("button", { name: "EMAIL" })[0]!);
    expect(onShowType).toHaveBeenCalledWith("EMAIL");
  });

  it("disables retrying while busy and says when nothing failed", () => {
    const { rerender } = render(
      <FailureGroupsView groups={groups} now={now} busy onRetry={() => {}} onShowType={() => {}} />,
    );
    for (const button of screen.getAllByRole("button", { name: /^Retry this group/ })) expect(button).toBeDisabled();
    rerender(<FailureGroupsView groups={[]} now={now} busy={false} onRetry={() => {}} onShowType={() => {}} />);
    expect(screen.getByText("No failed tasks.")).toBeInTheDocument();
  });

  it("labels a group without an error", () => {
    expect(groupLabel(group({ error: null }))).toBe("(no error message)");
  });
});

describe("FailureGroups", () => {
  it("loads the groups, shows those of the type filter, and retries one through the API", async () => {
    const { calls } = mockFetch(
      (url, request) =>
        url.pathname === "/api/failures" && request.method === "GET" ? json(groups) : undefined,
      (url, request) =>
        url.pathname === "/api/failures/retry" && request.method === "POST"
          ? json({ message: "3 failed jobs queued again", count: 3 })
          : undefined,
    );
    render(
      <QueryClientProvider client={createQueryClient()}>
        <FailureGroups type="EMAIL" now={now} onShowType={() => {}} />
        <Toaster />
      </QueryClientProvider>,
    );
    const items = await screen.findAllByRole("listitem");
    expect(items).toHaveLength(2); // REPORT's group is left out by the filter
    await userEvent.click(screen.getByRole("button", { name: "Retry this group: 3 failed EMAIL tasks" }));
    expect(await screen.findByText("Retrying 3 failed EMAIL tasks")).toBeInTheDocument();
    const retry = calls.find((r) => new URL(r.url).pathname === "/api/failures/retry");
    expect(retry).toBeDefined();
    expect(await retry!.clone().json()).toEqual({ error: "ValueError: bad address", t_type: "EMAIL" });
    expect(new URL(calls[0]!.url).searchParams.get("limit")).toBe("20");
  });
});
