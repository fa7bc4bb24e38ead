import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { getToken, markTokenRequired, resetAuthForTests } from "../../api/auth";
import { getStats } from "../../api/tasks";
import { json, mockFetch } from "../../test/fixtures";
import { TokenPrompt } from "./TokenPrompt";

const stats = { by_status: {}, by_type: {}, total: 0, workers: { busy: 0, total: 4, processes: 1 } };

describe("TokenPrompt", () => {
  beforeEach(() => resetAuthForTests());

  it("stays hidden until the server answers 401", async () => {
    mockFetch(() => json({ detail: "Missing or invalid API token" }, { status: 401 }));
    render(<TokenPrompt />);
    expect(screen.queryByRole("dialog")).toBeNull();
    await expect(act(() => getStats())).rejects.toThrow("Missing or invalid API token");
    expect(screen.getByRole("dialog", { name: "API token required" })).toBeInTheDocument();
    expect(screen.getByLabelText("API token")).toHaveFocus();
  });

  it("keeps the token in sessionStorage and sends it as a bearer token", async () => {
    const { calls } = mockFetch((_url, request) =>
      request.headers.get("Authorization") === "Bearer s3cret" ? json(stats) : json({ detail: "no" }, { status: 401 }),
    );
    const onSaved = vi.fn();
    render(<TokenPrompt onSaved={onSaved} />);
    act(() => markTokenRequired());
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("API token"), "s3cret");
    await user.click(screen.getByRole("button", { name: "Save token" }));

    expect(screen.queryByRole("dialog")).toBeNull();
    expect(onSaved).toHaveBeenCalled();
    expect(sessionStorage.getItem("pyqueue.apiToken")).toBe("s3cret");
    expect(getToken()).toBe("s3cret");
    await expect(getStats()).resolves.toEqual(stats);
    expect(calls.at(-1)?.headers.get("Authorization")).toBe("Bearer s3cret");
  });

  it("says when the saved token was rejected", async () => {
    sessionStorage.setItem("pyqueue.apiToken", "wrong");
    resetAuthForTests();
    render(<TokenPrompt />);
    act(() => markTokenRequired());
    expect(screen.getByRole("alert")).toHaveTextContent("rejected");
  });
});
