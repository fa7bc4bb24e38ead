import { QueryClient } from "@tanstack/react-query";
import type { TaskPage } from "../api/types";
import { makeTask } from "../test/fixtures";
import { queryKeys } from "./queryKeys";
import { applyTaskEvent, parseTaskEvent } from "./useLiveEvents";

describe("live task events", () => {
  it("parses the three event kinds and ignores anything else", () => {
    const task = makeTask();
    expect(parseTaskEvent(JSON.stringify({ kind: "updated", task }))).toEqual({ kind: "updated", task });
    expect(parseTaskEvent('{"kind":"deleted","id":"Task-1"}')).toEqual({ kind: "deleted", id: "Task-1" });
    expect(parseTaskEvent('{"kind":"cleared"}')).toEqual({ kind: "cleared" });
    expect(parseTaskEvent('{"kind":"updated"}')).toBeNull();
    expect(parseTaskEvent("not json")).toBeNull();
  });

  it("updates the cached task and the rows that show it at once, then refreshes", () => {
    const client = new QueryClient();
    const queued = makeTask({ status: "QUEUED" });
    const other = makeTask({ id: "Task-OTHER" });
    const listKey = queryKeys.taskList({ status: null, type: null, limit: 25, offset: 0 });
    client.setQueryData<TaskPage>(listKey, { items: [queued, other], total: 2 });
    client.setQueryData(queryKeys.task(queued.id), queued);
    const refresh = vi.fn();

    const running = { ...queued, status: "INPROGRESS" as const, attempts: 1 };
    applyTaskEvent(client, { kind: "updated", task: running }, refresh);

    expect(client.getQueryData(queryKeys.task(queued.id))).toEqual(running);
    expect(client.getQueryData<TaskPage>(listKey)?.items).toEqual([running, other]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("invalidates a deleted task and everything after a clear", () => {
    const client = new QueryClient();
    const task = makeTask();
    client.setQueryData(queryKeys.task(task.id), task);
    applyTaskEvent(client, { kind: "deleted", id: task.id }, vi.fn());
    expect(client.getQueryState(queryKeys.task(task.id))?.isInvalidated).toBe(true);

    const listKey = queryKeys.taskList({ status: null, type: null, limit: 25, offset: 0 });
    client.setQueryData<TaskPage>(listKey, { items: [], total: 0 });
    applyTaskEvent(client, { kind: "cleared" }, vi.fn());
    expect(client.getQueryState(listKey)?.isInvalidated).toBe(true);
  });
});
