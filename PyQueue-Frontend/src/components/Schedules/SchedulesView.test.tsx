import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Schedule } from "../../api/schedules";
import { parseSchedulePayload, SchedulesView, type SchedulesViewProps } from "./SchedulesView";

const now = Date.parse("2026-02-03T15:00:00Z");
const types = [
  { name: "EMAIL", description: "Simulated e-mail" },
  { name: "REPORT", description: "Report" },
];

function schedule(overrides: Partial<Schedule>): Schedule {
  return {
    id: "Schedule-01AAAAAAAAAAAAAAAAAAAAAAAA",
    t_type: "EMAIL",
    payload: { to: "ops" },
    cron: "*/5 * * * *",
    timezone: "UTC",
    paused: false,
    next_run_at: "2026-02-03T15:05:00Z",
    last_run_at: "2026-02-03T14:55:00Z",
    source: "api",
    created_at: "2026-02-01T00:00:00Z",
    updated_at: "2026-02-03T14:55:00Z",
    ...overrides,
  };
}

const active = schedule({});
const paused = schedule({
  id: "code:REPORT",
  t_type: "REPORT",
  cron: "0 9 * * 1-5",
  timezone: "Europe/Berlin",
  paused: true,
  last_run_at: null,
  source: "code",
  payload: { html: "<b>x</b>" },
});

function setup(props: Partial<SchedulesViewProps> = {}) {
  const handlers = { onCreate: vi.fn(), onPause: vi.fn(), onDelete: vi.fn() };
  render(
    <SchedulesView schedules={[active, paused]} types={types} now={now} creating={false} {...handlers} {...props} />,
  );
  return { ...handlers, user: userEvent.setup() };
}

function rowOf(id: string): HTMLElement {
  const row = document.querySelector<HTMLElement>(`tr[data-schedule-id="${id}"]`);
  expect(row).not.toBeNull();
  return row!;
}

describe("SchedulesView", () => {
  it("lists each schedule with its cron, zone, payload, next and last run", () => {
    setup();
    const first = within(rowOf(active.id));
    expect(first.getByText("*/5 * * * *")).toBeInTheDocument();
    expect(first.getByText("UTC")).toBeInTheDocument();
    expect(first.getByText('{"to":"ops"}')).toBeInTheDocument();
    expect(rowOf(active.id).querySelector('[data-col="next_run_at"]')).toHaveTextContent("in 5m");
    expect(rowOf(active.id).querySelector('[data-col="last_run_at"]')).toHaveTextContent("5m ago");
    const second = within(rowOf("code:REPORT"));
    expect(second.getByText("Paused")).toBeInTheDocument();
    expect(second.getByText("never")).toBeInTheDocument();
    expect(second.getByText("code")).toBeInTheDocument();
    expect(second.getByText("Europe/Berlin")).toBeInTheDocument();
    // task data is text, never markup
    expect(second.getByText('{"html":"<b>x</b>"}')).toBeInTheDocument();
    expect(document.querySelector("tr b")).toBeNull();
  });

  it("toggles pause and asks to delete", async () => {
    const { onPause, onDelete, user } = setup();
    const pause = within(rowOf(active.id)).getByRole("button", { name: "Pause" });
    expect(pause).toHaveAttribute("aria-pressed", "false");
    await user.click(pause);
    expect(onPause).toHaveBeenCalledWith(active, true);
    const resume = within(rowOf("code:REPORT")).getByRole("button", { name: "Resume" });
    expect(resume).toHaveAttribute("aria-pressed", "true");
    await user.click(resume);
    expect(onPause).toHaveBeenCalledWith(paused, false);
    await user.click(within(rowOf(active.id)).getByRole("button", { name: "Delete" }));
    expect(onDelete).toHaveBeenCalledWith(active);
  });

  it("disables the buttons of the schedule being changed", () => {
    setup({ busyId: active.id });
    expect(within(rowOf(active.id)).getByRole("button", { name: "Pause" })).toBeDisabled();
    expect(within(rowOf("code:REPORT")).getByRole("button", { name: "Resume" })).toBeEnabled();
  });

  it("creates a schedule from the form", async () => {
    const { onCreate, user } = setup();
    const form = within(screen.getByRole("form", { name: "Create a schedule" }));
    await user.selectOptions(form.getByLabelText("Type"), "REPORT");
    await user.clear(form.getByLabelText("Cron"));
    await user.type(form.getByLabelText("Cron"), " 0 9 * * 1-5 ");
    await user.clear(form.getByLabelText("Time zone"));
    await user.type(form.getByLabelText("Time zone"), "Europe/Berlin");
    await user.clear(form.getByLabelText("Payload (JSON object)"));
    await user.click(form.getByLabelText("Payload (JSON object)"));
    await user.paste('{"kind": "daily"}');
    await user.click(form.getByLabelText("Start paused"));
    await user.click(form.getByRole("button", { name: "Create schedule" }));
    expect(onCreate).toHaveBeenCalledWith({
      t_type: "REPORT",
      cron: "0 9 * * 1-5",
      timezone: "Europe/Berlin",
      payload: { kind: "daily" },
      paused: true,
    });
  });

  it("blocks a payload that is not a JSON object", async () => {
    const { onCreate, user } = setup();
    const form = within(screen.getByRole("form", { name: "Create a schedule" }));
    await user.clear(form.getByLabelText("Payload (JSON object)"));
    await user.click(form.getByLabelText("Payload (JSON object)"));
    await user.paste("[1, 2]");
    expect(form.getByRole("alert")).toHaveTextContent("must be a JSON object");
    expect(form.getByRole("button", { name: "Create schedule" })).toBeDisabled();
    expect(onCreate).not.toHaveBeenCalled();
  });

  it("says when there are none, and when they cannot be loaded", () => {
    const { unmount } = render(
      <SchedulesView schedules={[]} types={types} now={now} creating={false} onCreate={vi.fn()} onPause={vi.fn()} onDelete={vi.fn()} />,
    );
    expect(screen.getByText("No schedules yet.")).toBeInTheDocument();
    unmount();
    render(
      <SchedulesView
        schedules={undefined}
        error="Cannot reach the server"
        types={types}
        now={now}
        creating={false}
        onCreate={vi.fn()}
        onPause={vi.fn()}
        onDelete={vi.fn()}
      />,
    );
    expect(screen.getByText("Could not load the schedules: Cannot reach the server")).toBeInTheDocument();
  });
});

describe("parseSchedulePayload", () => {
  it("accepts an object or nothing, refuses anything else", () => {
    expect(parseSchedulePayload("")).toEqual({ ok: true, value: {} });
    expect(parseSchedulePayload('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseSchedulePayload("null").ok).toBe(false);
    expect(parseSchedulePayload('"text"').ok).toBe(false);
    expect(parseSchedulePayload("{").ok).toBe(false);
  });
});
