import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { toast } from "../../hooks/toast";
import { Toaster } from "./Toaster";

describe("Toaster", () => {
  it("announces successes politely and errors as alerts", () => {
    render(<Toaster />);
    act(() => {
      toast.success("Enqueued Task-1 (EMAIL)");
      toast.error("Retry failed: Task Task-1 is COMPLETED");
    });
    expect(screen.getByRole("status")).toHaveTextContent("Enqueued Task-1 (EMAIL)");
    expect(screen.getByRole("alert")).toHaveTextContent("Retry failed: Task Task-1 is COMPLETED");
  });

  it("can be dismissed, and hides itself after a while", async () => {
    vi.useFakeTimers();
    try {
      render(<Toaster />);
      act(() => {
        toast.success("first");
        toast.info("second");
      });
      act(() => {
        screen.getAllByRole("button", { name: "Dismiss notification" })[0]!.click();
      });
      expect(screen.queryByText("first")).toBeNull();
      expect(screen.getByText("second")).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(5000));
      expect(screen.queryByText("second")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not stack identical messages", async () => {
    render(<Toaster />);
    act(() => {
      toast.error("Could not load data: Cannot reach the server");
      toast.error("Could not load data: Cannot reach the server");
    });
    expect(screen.getAllByTestId("toast")).toHaveLength(1);
    await userEvent.setup().click(screen.getByRole("button", { name: "Dismiss notification" }));
    expect(screen.queryAllByTestId("toast")).toHaveLength(0);
  });
});
