import { act, renderHook } from "@testing-library/react";
import { nextView, parseView, serializeView, useUrlState } from "./useUrlState";

describe("URL view state", () => {
  it("round-trips filters, page, size and the open task", () => {
    const search = "?status=FAILED&type=EMAIL&page=3&size=50&task=Task-1";
    const view = parseView(search);
    expect(view).toEqual({ status: "FAILED", type: "EMAIL", page: 3, pageSize: 50, task: "Task-1" });
    expect(serializeView(view)).toBe(search);
  });

  it("ignores invalid values", () => {
    expect(parseView("?status=bogus&page=-2&size=7")).toEqual({
      status: null,
      type: null,
      page: 1,
      pageSize: 25,
      task: null,
    });
    expect(parseView("?status=failed").status).toBe("FAILED");
  });

  it("goes back to page 1 when a filter changes", () => {
    const view = parseView("?page=4");
    expect(nextView(view, { status: "QUEUED" }).page).toBe(1);
    expect(nextView(view, { task: "Task-1" }).page).toBe(4);
  });

  it("pushes changes to the address bar and follows back/forward", () => {
    window.history.replaceState(null, "", "/");
    const { result } = renderHook(() => useUrlState());
    act(() => result.current[1]({ type: "SMS" }));
    expect(window.location.search).toBe("?type=SMS");
    expect(result.current[0].type).toBe("SMS");
    act(() => {
      window.history.replaceState(null, "", "/?status=COMPLETED");
      window.dispatchEvent(new PopStateEvent("popstate"));
    });
    expect(result.current[0]).toMatchObject({ status: "COMPLETED", type: null });
  });
});
