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

  it("sends a priority and a delay in seconds", async () => {
    const { onSubmit, user } = setup();
    const priority = screen.getByLabelText("Priority");
    expect(priority).toHaveValue(0);
    await user.clear(priority);
    await user.type(priority, "50");
    await user.type(screen.getByLabelText("Delay (optional)"), "90");
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(onSubmit).toHaveBeenCalledWith({
      payload: { to: "ada@example.com" },
      t_type: "EMAIL",
      priority: 50,
      delay_seconds: 90,
    });
  });

  it("converts a delay in minutes to delay_seconds and accepts a negative priority", async () => {
    const { onSubmit, user } = setup();
    const priority = screen.getByLabelText("Priority");
    await user.clear(priority);
    await user.type(priority, "-100");
    await user.type(screen.getByLabelText("Delay (optional)"), "2.5");
    await user.selectOptions(screen.getByLabelText("Delay unit"), "minutes");
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ priority: -100, delay_seconds: 150 }),
    );
  });

  it("leaves the defaults (priority 0, no delay) to the server", async () => {
    const { onSubmit, user } = setup();
    await user.type(screen.getByLabelText("Delay (optional)"), "0");
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(onSubmit).toHaveBeenCalledWith({ payload: { to: "ada@example.com" }, t_type: "EMAIL" });
  });

  it.each(["101", "-101", "1.5"])("rejects priority %s outside −100…100 or not whole", async (value) => {
    const { onSubmit, user } = setup();
    const priority = screen.getByLabelText("Priority");
    await user.clear(priority);
    await user.type(priority, value);
    expect(screen.getByRole("alert")).toHaveTextContent("Priority must be a whole number from -100 to 100.");
    expect(priority).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("button", { name: "Enqueue" })).toBeDisabled();
    await user.type(priority, "{Enter}");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("accepts the priority bounds themselves", async () => {
    const { onSubmit, user } = setup();
    const priority = screen.getByLabelText("Priority");
    await user.clear(priority);
    await user.type(priority, "100");
    expect(screen.queryByRole("alert")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Enqueue" }));
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ priority: 100 }));
  });

  it("rejects a delay beyond 365 days, in any unit", async () => {
    const { user } = setup();
    await user.type(screen.getByLabelText("Delay (optional)"), "8761");
    await user.selectOptions(screen.getByLabelText("Delay unit"), "hours");
    expect(screen.getByRole("alert")).toHaveTextContent("Delay must be at most 365 days.");
    expect(screen.getByRole("button", { name: "Enqueue" })).toBeDisabled();
    await user.selectOptions(screen.getByLabelText("Delay unit"), "minutes");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("rejects a negative delay", async () => {
    const { onSubmit, user } = setup();
    const delay = screen.getByLabelText("Delay (optional)");
    await user.type(delay, "-5");
    expect(screen.getByRole("alert")).toHaveTextContent("Delay must be a number ≥ 0.");
    expect(delay).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("button", { name: "Enqueue" })).toBeDisabled();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
