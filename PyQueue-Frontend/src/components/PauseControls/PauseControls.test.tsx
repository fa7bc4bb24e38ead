import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { QueueState, TypeState } from "../../api/control";
import { createQueryClient } from "../../hooks/queryClient";
import { json, mockFetch } from "../../test/fixtures";
import { PauseControls } from "./PauseControls";
import { PauseControlsView } from "./PauseControlsView";

const running: QueueState = { paused: false, paused_at: null, paused_types: ["SMS"] };
const types: TypeState[] = [
  { name: "EMAIL", description: "Simulated e-mail", registered: true, tasks: 3, paused: false, paused_at: null },
  { name: "SMS", description: "Simulated SMS", registered: true, tasks: 1, paused: true, paused_at: "2026-02-03T15:00:00Z" },
  { name: "LEGACY", description: "", registered: false, tasks: 7, paused: false, paused_at: null },
];

function view(overrides: Partial<Parameters<typeof PauseControlsView>[0]> = {}) {
  const onQueue = vi.fn();
  const onType = vi.fn();
  render(
    <PauseControlsView
      queue={running}
      types={types}
      error={null}
      busy={null}
      onQueue={onQueue}
      onType={onType}
      {...overrides}
    />,
  );
  return { onQueue, onType };
}

describe("PauseControlsView", () => {
  it("shows each type's state and toggles it", async () => {
    const { onType } = view();
    const sms = screen.getByRole("listitem", { name: "SMS" });
    expect(within(sms).getByText("Paused")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Resume SMS" }));
    await userEvent.click(screen.getByRole("button", { name: "Pause EMAIL" }));
    expect(onType.mock.calls).toEqual([
      ["SMS", false],
      ["EMAIL", true],
    ]);
    expect(screen.getByRole("listitem", { name: "LEGACY" })).toHaveTextContent("LEGACY (not loaded here)7 tasksRunning");
  });

  it("pauses and resumes the whole queue, and says what a pause means", async () => {
    const { onQueue } = view();
    expect(screen.getByTestId("queue-state")).toHaveTextContent("Queue running");
    expect(screen.queryByRole("status")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Pause queue" }));
    expect(onQueue).toHaveBeenCalledWith(true);
  });

  it("shows a paused queue with a banner and a resume button", async () => {
    const { onQueue } = view({ queue: { paused: true, paused_at: "2026-02-03T15:00:00Z", paused_types: [] } });
    expect(screen.getByTestId("queue-state")).toHaveTextContent("Queue paused");
    expect(screen.getByRole("status")).toHaveTextContent("no task starts in any process");
    await userEvent.click(screen.getByRole("button", { name: "Resume queue" }));
    expect(onQueue).toHaveBeenCalledWith(false);
  });

  it("disables every toggle while one is pending", () => {
    view({ busy: "EMAIL" });
    for (const button of screen.getAllByRole("button")) expect(button).toBeDisabled();
  });
});

describe("PauseControls", () => {
  it("posts the pause of a type and refreshes the states", async () => {
    let smsPaused = true;
    const { calls } = mockFetch((url, request) => {
      if (url.pathname === "/api/queue") return json(running);
      if (url.pathname === "/api/types") {
        return json(types.map((t) => (t.name === "SMS" ? { ...t, paused: smsPaused } : t)));
      }
      if (request.method === "POST" && url.pathname === "/api/types/SMS/resume") {
        smsPaused = false;
        return json({ ...types[1], paused: false, paused_at: null });
      }
      return undefined;
    });
    render(
      <QueryClientProvider client={createQueryClient()}>
        <PauseControls />
      </QueryClientProvider>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Resume SMS" }));
    expect(await screen.findByRole("button", { name: "Pause SMS" })).toBeInTheDocument();
    await waitFor(() =>
      expect(calls.some((r) => r.method === "POST" && new URL(r.url).pathname === "/api/types/SMS/resume")).toBe(true),
    );
  });
});
