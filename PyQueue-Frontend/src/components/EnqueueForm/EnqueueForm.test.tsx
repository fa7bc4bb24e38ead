import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { EnqueueForm } from "./EnqueueForm";

const types = [
  { name: "EMAIL", description: "Simulated e-mail, 2 s" },
  { name: "TEST", description: "Test task, 2 s" },
];

function setup() {
  const onSubmit = vi.fn();
  const user = userEvent.setup();
  render(<EnqueueForm types={types} pending={false} onSubmit={onSubmit} />);
  const payload = screen.getByLabelText("Payload (JSON or text)");
  return { onSubmit, user, payload };
}

describe("EnqueueForm", () => {
  it("offers the types from /api/types with their durations, TEST included", () => {
    setup();
    const select = screen.getByLabelText("Type");
    expect(screen.getByRole("option", { name: "TEST — Test task, 2 s" })).toBeInTheDocument();
    expect(select).toHaveValue("EMAIL");
  });

  it("sends a payload that parses as JSON as JSON", async () => {
    const { onSubmit, user, payload } = setup();
    await user.clear(payload);
    await user.click(payload);
    await user.paste('{"to": "grace@example.com", "n": 2}');
    await user.selectOptions(screen.getByLabelText("Type"), "TEST");
    expect(screen.getByText("Sent as a JSON object")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(onSubmit).toHaveBeenCalledWith({ payload: { to: "grace@example.com", n: 2 }, t_type: "TEST" });
  });

  it("sends other text as a string, with max retries when given", async () => {
    const { onSubmit, user, payload } = setup();
    await user.clear(payload);
    await user.type(payload, "hello world");
    await user.type(screen.getByLabelText("Max retries (optional)"), "0");
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(onSubmit).toHaveBeenCalledWith({ payload: "hello world", t_type: "EMAIL", max_retries: 0 });
  });

  it("blocks broken JSON with a readable error", async () => {
    const { onSubmit, user, payload } = setup();
    await user.clear(payload);
    await user.click(payload);
    await user.paste('{"to": ');
    expect(screen.getByRole("alert")).toHaveTextContent(/^Invalid JSON/);
    expect(payload).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("button", { name: "Enqueue" })).toBeDisabled();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("rejects a negative or fractional max retries", async () => {
    const { user } = setup();
    await user.type(screen.getByLabelText("Max retries (optional)"), "1.5");
    expect(screen.getByRole("alert")).toHaveTextContent("whole number");
    expect(screen.getByRole("button", { name: "Enqueue" })).toBeDisabled();
  });
});
