import { QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createQueryClient } from "../../hooks/queryClient";
import { json, makeTask, mockFetch } from "../../test/fixtures";
import { Toaster } from "../Toaster/Toaster";
import { canEditPayload, parseJson, PayloadEditor, PayloadEditorView } from "./PayloadEditor";

const failed = makeTask({ status: "FAILED", payload: { to: "ada@example" }, last_error: "ValueError: bad" });

function typeInto(textarea: HTMLElement, text: string) {
  fireEvent.change(textarea, { target: { value: text } });
}

describe("PayloadEditorView", () => {
  it("starts from the current payload and validates JSON as you type", () => {
    const onSubmit = vi.fn();
    render(<PayloadEditorView payload={{ to: "ada@example" }} busy={false} error={null} onSubmit={onSubmit} onCancel={() => {}} />);
    const box = screen.getByLabelText("Payload (JSON)");
    expect(box).toHaveValue('{\n  "to": "ada@example"\n}');
    expect(screen.getByRole("status")).toHaveTextContent("Valid JSON");
    typeInto(box, '{"to": ');
    expect(screen.getByRole("status")).toHaveTextContent(/^Invalid JSON/);
    expect(box).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("button", { name: "Save and retry" })).toBeDisabled();
    typeInto(box, "");
    expect(screen.getByRole("status")).toHaveTextContent("Enter the payload as JSON.");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("sends the parsed value", async () => {
    const onSubmit = vi.fn();
    render(<PayloadEditorView payload={1} busy={false} error={null} onSubmit={onSubmit} onCancel={() => {}} />);
    typeInto(screen.getByLabelText("Payload (JSON)"), '{"to": "grace@example", "n": [1, 2]}');
    await userEvent.click(screen.getByRole("button", { name: "Save and retry" }));
    expect(onSubmit).toHaveBeenCalledWith({ to: "grace@example", n: [1, 2] });
  });

  it("shows the server's refusal", () => {
    render(<PayloadEditorView payload={1} busy={false} error="Payload is 200 bytes; the limit is 100 bytes" onSubmit={() => {}} onCancel={() => {}} />);
    expect(screen.getByRole("alert")).toHaveTextContent("the limit is 100 bytes");
  });
});

describe("parseJson and canEditPayload", () => {
  it("accepts any JSON value, strictly", () => {
    expect(parseJson('"text"')).toEqual({ ok: true, value: "text" });
    expect(parseJson("null")).toEqual({ ok: true, value: null });
    expect(parseJson("text").ok).toBe(false);
  });

  it("only FAILED and CANCELLED tasks can be edited", () => {
    expect(canEditPayload({ status: "FAILED" })).toBe(true);
    expect(canEditPayload({ status: "CANCELLED" })).toBe(true);
    for (const status of ["QUEUED", "INPROGRESS", "COMPLETED"] as const) expect(canEditPayload({ status })).toBe(false);
  });
});

function renderEditor(task = failed) {
  return render(
    <QueryClientProvider client={createQueryClient()}>
      <PayloadEditor task={task} />
      <Toaster />
    </QueryClientProvider>,
  );
}

describe("PayloadEditor", () => {
  it("is not offered for a task that is not FAILED or CANCELLED", () => {
    renderEditor(makeTask({ status: "COMPLETED" }));
    expect(screen.queryByRole("button", { name: "Edit payload and retry" })).toBeNull();
  });

  it("saves the edited payload, then retries the task", async () => {
    const { calls } = mockFetch(
      (url, request) =>
        url.pathname === `/api/jobs/${failed.id}` && request.method === "PATCH"
          ? json({ ...failed, payload: { to: "grace@example" } })
          : undefined,
      (url, request) =>
        url.pathname === `/api/jobs/${failed.id}/retry` && request.method === "POST"
          ? json({ ...failed, status: "QUEUED", payload: { to: "grace@example" } })
          : undefined,
      (url) => (url.pathname === "/api/whoami" ? json({ role: "admin" }) : undefined),
    );
    renderEditor();
    await userEvent.click(screen.getByRole("button", { name: "Edit payload and retry" }));
    typeInto(screen.getByLabelText("Payload (JSON)"), '{"to": "grace@example"}');
    await userEvent.click(screen.getByRole("button", { name: "Save and retry" }));
    expect(await screen.findByText(`Retrying ${failed.id} with the edited payload`)).toBeInTheDocument();
    const writes = calls.filter((r) => r.method !== "GET");
    expect(writes.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      `PATCH /api/jobs/${failed.id}`,
      `POST /api/jobs/${failed.id}/retry`,
    ]);
    expect(await writes[0]!.clone().json()).toEqual({ payload: { to: "grace@example" } });
    expect(screen.queryByLabelText("Payload (JSON)")).toBeNull(); // closed after saving
  });

  it("keeps the editor open with the server's message when the edit is refused", async () => {
    const { calls } = mockFetch(
      (_url, request) =>
        request.method === "PATCH"
          ? json({ detail: `Job ${failed.id} is QUEUED: only FAILED or CANCELLED jobs can have their payload edited` }, { status: 409 })
          : undefined,
      (url) => (url.pathname === "/api/whoami" ? json({ role: "admin" }) : undefined),
    );
    renderEditor();
    await userEvent.click(screen.getByRole("button", { name: "Edit payload and retry" }));
    await userEvent.click(screen.getByRole("button", { name: "Save and retry" }));
    const form = screen.getByRole("form", { name: "Edit payload" });
    expect(await within(form).findByRole("alert")).toHaveTextContent("only FAILED or CANCELLED");
    expect(screen.getByText(/^Edit and retry failed: .*only FAILED or CANCELLED/)).toBeInTheDocument(); // the toast
    expect(screen.getByLabelText("Payload (JSON)")).toBeInTheDocument();
    expect(calls.some((r) => r.url.endsWith("/retry"))).toBe(false);
  });
});
