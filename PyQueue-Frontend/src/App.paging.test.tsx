import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { resetAuthForTests } from "./api/auth";
import { App } from "./App";
import { json, makeTask, mockFetch } from "./test/fixtures";

vi.mock("./components/ThroughputChart/ThroughputChart", () => ({ default: () => null }));

// 25 tasks, newest first, as the server orders them.
const tasks = Array.from({ length: 25 }, (_, i) =>
  makeTask({ id: `Task-01${String(99 - i).padStart(2, "0")}AAAAAAAAAAAAAAAAAAAAAA`, status: "COMPLETED" }),
);
const stats = {
  by_status: { QUEUED: 0, INPROGRESS: 0, COMPLETED: 25, FAILED: 0, CANCELLED: 0 },
  by_type: { EMAIL: 25 },
  total: 25,
  workers: { busy: 0, total: 4, processes: 1 },
};

/** GET /api/jobs as the server answers it: `cursor` (keyset) or `offset`, and X-Next-Cursor. */
function api() {
  return mockFetch((url) => {
    if (url.pathname === "/api/jobs") {
      const limit = Number(url.searchParams.get("limit"));
      const cursor = url.searchParams.get("cursor");
      const start = cursor ? tasks.findIndex((t) => t.id === cursor) + 1 : Number(url.searchParams.get("offset"));
      const items = tasks.slice(start, start + limit);
      const headers: Record<string, string> = { "X-Total-Count": String(tasks.length) };
      if (items.length === limit) headers["X-Next-Cursor"] = items[items.length - 1]!.id;
      return json(items, { headers });
    }
    if (url.pathname === "/api/queue") return json({ paused: false, paused_at: null, paused_types: [] });
    if (url.pathname === "/api/stats") return json(stats);
    if (url.pathname === "/api/stats/throughput") return json([]);
    if (url.pathname === "/api/types") return json([]);
    return undefined;
  });
}

function jobRequests(calls: Request[]) {
  return calls.map((r) => new URL(r.url)).filter((u) => u.pathname === "/api/jobs" && u.searchParams.get("limit") === "10");
}

describe("task list paging", () => {
  beforeEach(() => {
    window.history.replaceState(null, "", "/?size=10");
    resetAuthForTests();
  });

  it("Next follows the server's cursor, and Previous returns by the cursor it kept", async () => {
    const { calls } = api();
    const user = userEvent.setup();
    render(<App />);
    const table = await screen.findByRole("table");
    expect(await within(table).findByText(tasks[0]!.id)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await within(table).findByText(tasks[10]!.id)).toBeInTheDocument();
    await waitFor(() => expect(jobRequests(calls).some((u) => u.searchParams.get("cursor") === tasks[9]!.id)).toBe(true));

    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await within(table).findByText(tasks[20]!.id)).toBeInTheDocument();
    expect(jobRequests(calls).some((u) => u.searchParams.get("cursor") === tasks[19]!.id)).toBe(true);
    // every page after the first was fetched by cursor, never by a deep offset
    expect(jobRequests(calls).every((u) => u.searchParams.get("offset") === "0")).toBe(true);

    await user.click(screen.getByRole("button", { name: "Previous" }));
    expect(await within(table).findByText(tasks[10]!.id)).toBeInTheDocument();
    expect(jobRequests(calls).every((u) => u.searchParams.get("offset") === "0")).toBe(true);
  });

  it("a page opened from the URL uses the offset", async () => {
    window.history.replaceState(null, "", "/?size=10&page=3");
    const { calls } = api();
    render(<App />);
    const table = await screen.findByRole("table");
    expect(await within(table).findByText(tasks[20]!.id)).toBeInTheDocument();
    expect(jobRequests(calls)[0]!.searchParams.get("offset")).toBe("20");
  });
});
