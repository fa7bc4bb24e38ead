import { act, renderHook } from "@testing-library/react";
import { createStore, useStore } from "./store";

describe("createStore", () => {
  it("gets, sets and updates the value, notifying subscribers of changes only", () => {
    const store = createStore(1);
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);

    store.set(2);
    store.update((n) => n * 10);
    expect(store.get()).toBe(20);
    expect(listener).toHaveBeenCalledTimes(2);

    store.set(20);
    expect(listener).toHaveBeenCalledTimes(2);

    unsubscribe();
    store.set(3);
    expect(listener).toHaveBeenCalledTimes(2);
    expect(store.get()).toBe(3);
  });

  it("re-renders components that use it", () => {
    const store = createStore<string[]>([]);
    const { result } = renderHook(() => useStore(store));
    expect(result.current).toEqual([]);
    act(() => store.update((items) => [...items, "a"]));
    expect(result.current).toEqual(["a"]);
  });
});
