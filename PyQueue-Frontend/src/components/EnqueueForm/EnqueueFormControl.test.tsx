import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { enqueueOnce } from "../../api/tasks";
import { json, makeTask, mockFetch } from "../../test/fixtures";
import { EnqueueForm, parseKey, parseTimeout } from "./EnqueueForm";

const types = [{ name: "EMAIL", description: "Simulated e-mail, 2 s", paused: false, registered: true, tasks: 0 }];

function setup() {
  const onSubmit = vi.fn();
  const user = userEvent.setup();
  render(<EnqueueForm types={types} pending={false} onSubmit={onSubmit} />);
  return { onSubmit, user };
}

describe("parseTimeout and parseKey", () => {
  it("accept what the API accepts and leave empty to the defaults", () => {
    expect(parseTimeout("")).toEqual({ ok: true });
    expect(parseTimeout("2.5")).toEqual({ ok: true, value: 2.5 });
    expect(parseTimeout(String(7 * 24 * 3600))).toEqual({ ok: true, value: 604800 });
    expect(parseKey("")).toEqual({ ok: true });
    expect(parseKey("order-42")).toEqual({ ok: true, value: "order-42" });
    expect(parseKey("é".repeat(200))).toEqual({ ok: true, value: "é".repeat(200) });
  });

  it("refuse what the API refuses", () => {
    for (const bad of ["0", "-1", "604801", "abc"]) expect(parseTimeout(bad).ok).toBe(false);
    for (const bad of ["k".repeat(201), "line\nbreak", "tab\there", "del\u007f"]) expect(parseKey(bad).ok).toBe(false);
  });
});

describe("EnqueueForm timeout and idempotency key", () => {
  it("sends them when given", async () => {
    const { onSubmit, user } = setup();
    await user.type(screen.getByLabelText("Timeout, s (optional)"), "30");
    await user.type(screen.getByLabelText("Idempotency key (optional)"), "invoice-7");
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ t_type: "EMAIL", timeout_seconds: 30, idempotency_key: "invoice-7" }),
    );
  });

  it("leaves them out when empty", async () => {
    const { onSubmit, user } = setup();
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    const sent = onSubmit.mock.calls[0]![0] as Record<string, unknown>;
    expect(sent).not.toHaveProperty("timeout_seconds");
    expect(sent).not.toHaveProperty("idempotency_key");
  });

  it("explains a bad timeout and does not submit", async () => {
    const { onSubmit, user } = setup();
    await user.type(screen.getByLabelText("Timeout, s (optional)"), "0");
    expect(screen.getByRole("alert")).toHaveTextContent("Timeout must be a number of seconds");
    expect(screen.getByRole("button", { name: "Enqueue" })).toBeDisabled();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

describe("enqueueOnce", () => {
  it("says created on 201 and not created on 200 (the key was in use)", async () => {
    let status = 201;
    mockFetch((url, request) =>
      request.method === "POST" && url.pathname === "/api/enqueue"
        ? json(makeTask({ idempotency_key: "k" }), { status })
        : undefined,
    );
    expect(await enqueueOnce({ payload: 1, t_type: "EMAIL", idempotency_key: "k" })).toMatchObject({ created: true });
    status = 200;
    const again = await enqueueOnce({ payload: 1, t_type: "EMAIL", idempotency_key: "k" });
    expect(again.created).toBe(false);
    expect(again.task.idempotency_key).toBe("k");
  });
});
