import { act, renderHook, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConfirmProvider } from "../components/ConfirmDialog/ConfirmDialog";
import { toast } from "./toast";
import { type ConfirmWithCount, useConfirmWithCount } from "./useConfirmWithCount";

function setup(count: ConfirmWithCount["count"]) {
  const onConfirm = vi.fn();
  const { result } = renderHook(
    () =>
      useConfirmWithCount({
        count,
        countError: "Could not count tasks",
        empty: "Nothing to clear",
        dialog: (n) => ({ title: "Clear tasks?", message: `Remove ${n} tasks?`, confirmLabel: `Clear ${n} tasks` }),
        onConfirm,
      }),
    { wrapper: ConfirmProvider },
  );
  let done: Promise<void> = Promise.resolve();
  act(() => {
    done = result.current();
  });
  return { onConfirm, done: () => act(() => done) };
}

describe("useConfirmWithCount", () => {
  it("asks with the count and acts only once confirmed", async () => {
    const user = userEvent.setup();
    const confirmed = setup(() => Promise.resolve(3));
    const dialog = await screen.findByRole("alertdialog", { name: "Clear tasks?" });
    expect(dialog).toHaveTextContent("Remove 3 tasks?");
    await user.click(screen.getByRole("button", { name: "Clear 3 tasks" }));
    await confirmed.done();
    expect(confirmed.onConfirm).toHaveBeenCalledWith(3);

    const cancelled = setup(() => Promise.resolve(2));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    await cancelled.done();
    expect(cancelled.onConfirm).not.toHaveBeenCalled();
  });

  it("tells when there is nothing to do, or the count failed, without asking", async () => {
    const info = vi.spyOn(toast, "info");
    const error = vi.spyOn(toast, "error");
    const empty = setup(() => Promise.resolve(0));
    await empty.done();
    expect(info).toHaveBeenCalledWith("Nothing to clear");

    const failing = setup(() => Promise.reject(new Error("Cannot reach the server")));
    await failing.done();
    expect(error).toHaveBeenCalledWith("Could not count tasks: Cannot reach the server");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(empty.onConfirm).not.toHaveBeenCalled();
    expect(failing.onConfirm).not.toHaveBeenCalled();
  });
});
