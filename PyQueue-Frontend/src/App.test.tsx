import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { resetAuthForTests } from "./api/auth";
import { App } from "./App";
import { json, makeTask, mockFetch } from "./test/fixtures";

vi.mock("./components/ThroughputChart/ThroughputChart", () => ({ default: () => null }));

const tasks = [
  makeTask({ id: "Task-01AAAAAAAAAAAAAAAAAAAAAAAA", status: "FAILED", type: "FAILABS", attempts: 1, max_retries: 0 }),
  makeTask({ id: "Task-01BBBBBBBBBBBBBBBBBBBBBBBB", status: "COMPLETED", type: "EMAIL", attempts: 1 }),
];
const stats = {
  by_status: { QUEUED: 0, INPROGRESS: 0, COMPLETED: 1, FAILED: 1, CANCELLED: 0 },
  by_type: { EMAIL: 1, FAILABS: 1 },
  total: 2,
  workers: { busy: 1, total: 4, processes: 2 },
};
const types = [
  { name: "EMAIL", description: "Simulated e-mail, 2 s" },
  { name: "FAILABS", description: "Always fails, 1 s" },
  { name: "TEST", description: "Test task, 2 s" },
];

function api(token: string | null = null) {
  return mockFetch((url, request) => {
    if (token && request.headers.get("Authorization") !== `Bearer ${token}`) {
      return json({ detail: "Missing or invalid API token" }, { status: 401 });
    }
    if (url.pathname === "/api/jobs") {
      const status = url.searchParams.get("status");
      const items = tasks.filter((t) => !status || t.status === status);
      return json(items, { headers: { "X-Total-Count": String(items.length) } });
    }
    if (url.pathname.endsWith("/attempts")) return json([]);
    if (url.pathname === "/api/queue") return json({ paused: false, paused_at: null, paused_types: [] });
    if (url.pathname.startsWith("/api/jobs/")) {
      const task = tasks.find((t) => url.pathname.endsWith(t.id));
      if (request.method === "POST" && url.pathname.endsWith("/retry")) {
        return json({ detail: "Task Task-01BB… is COMPLETED; only FAILED or CANCELLED tasks can be retried" }, { status: 409 });
      }
      return task ? json(task) : json({ detail: "Job not found" }, { status: 404 });
    }
    if (url.pathname === "/api/stats") return json(stats);
    if (url.pathname === "/api/stats/throughput") return json([]);
    if (url.pathname === "/api/types") return json(types);
    if (url.pathname === "/api/schedules") return json([]);
    return undefined;
  });
}

describe("App", () => {
  beforeEach(() => {
    window.history.replaceState(null, "", "/");
    resetAuthForTests();
  });

  it("renders tasks, counts and types without VITE_API_BASE", async () => {
    api();
    render(<App />);
    const table = await screen.findByRole("table");
    expect(await within(table).findByText("Task-01AAAAAAAAAAAAAAAAAAAAAAAA")).toBeInTheDocument();
    const failedTab = screen.getByRole("button", { name: /^FAILED/ });
    await waitFor(() => expect(failedTab).toHaveTextContent("FAILED1"));
    expect(screen.getByRole("option", { name: "TEST — Test task, 2 s" })).toBeInTheDocument();
    const workers = screen.getByText("Workers busy").parentElement!;
    await waitFor(() => expect(workers).toHaveTextContent("1 / 4in 2 processes"));
  });

  it("keeps the status filter and the open task in the URL", async () => {
    api();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("button", { name: /^FAILED/ }));
    expect(window.location.search).toBe("?status=FAILED");
    await waitFor(() => expect(screen.queryByText("Task-01BBBBBBBBBBBBBBBBBBBBBBBB")).toBeNull());
    await user.click(screen.getByRole("button", { name: "Task-01AAAAAAAAAAAAAAAAAAAAAAAA" }));
    expect(window.location.search).toBe("?status=FAILED&task=Task-01AAAAAAAAAAAAAAAAAAAAAAAA");
    const detail = await screen.findByRole("article", { name: "Task Task-01AAAAAAAAAAAAAAAAAAAAAAAA" });
    expect(within(detail).getByRole("button", { name: "Retry" })).toBeEnabled();
  });

  it("shows the server's message when an action fails", async () => {
    api();
    window.history.replaceState(null, "", "/?task=Task-01BBBBBBBBBBBBBBBBBBBBBBBB");
    tasks[1]!.status = "FAILED"; // stale view: the server says it is COMPLETED
    try {
      const user = userEvent.setup();
      render(<App />);
      const detail = await screen.findByRole("article", { name: /Task-01BB/ });
      await user.click(within(detail).getByRole("button", { name: "Retry" }));
      expect(await screen.findByRole("alert")).toHaveTextContent("Retry failed: Task Task-01BB… is COMPLETED");
    } finally {
      tasks[1]!.status = "COMPLETED";
    }
  });

  it("asks for the token on 401 and loads once it is given", async () => {
    api("letmein");
    const user = userEvent.setup();
    render(<App />);
    const dialog = await screen.findByRole("dialog", { name: "API token required" });
    await user.type(within(dialog).getByLabelText("API token"), "letmein");
    await user.click(within(dialog).getByRole("button", { name: "Save token" }));
    expect(await screen.findByText("Task-01AAAAAAAAAAAAAAAAAAAAAAAA")).toBeInTheDocument();
    expect(sessionStorage.getItem("pyqueue.apiToken")).toBe("letmein");
  });
});
