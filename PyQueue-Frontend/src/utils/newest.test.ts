import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import type { TaskPage } from "../api/types";
import { applyTaskEvent } from "../hooks/useLiveEvents";
import { queryKeys } from "../hooks/queryKeys";
import { makeTask } from "../test/fixtures";
import { newest } from "./newest";

const older = makeTask({ status: "INPROGRESS", progress: 0.4, updated_at: "2026-02-03T15:34:22.100000Z" });
const newer = makeTask({ status: "INPROGRESS", progress: 0.6, updated_at: "2026-02-03T15:34:22.600000Z" });

describe("newest", () => {
  it("keeps the version with the later updated_at, the incoming one on a tie", () => {
    expect(newest(undefined, older)).toBe(older);
    expect(newest(older, newer)).toBe(newer);
    expect(newest(newer, older)).toBe(newer);
    const same = { ...older };
    expect(newest(older, same)).toBe(same);
  });
});

describe("an event older than what is shown", () => {
  it("never steps a task or its row back", () => {
    const client = new QueryClient();
    const query = { status: null, type: null, limit: 50, offset: 0 };
    client.setQueryData<TaskPage>(queryKeys.taskList(query), { items: [newer], total: 1, nextCursor: null });
    client.setQueryData(queryKeys.task(newer.id), newer);
    applyTaskEvent(client, { kind: "updated", task: older }, vi.fn());
    expect(client.getQueryData(queryKeys.task(newer.id))).toBe(newer);
    expect(client.getQueryData<TaskPage>(queryKeys.taskList(query))?.items[0]).toBe(newer);
    applyTaskEvent(client, { kind: "updated", task: { ...newer, progress: 1, updated_at: "2026-02-03T15:34:23Z" } }, vi.fn());
    expect(client.getQueryData<TaskPage>(queryKeys.taskList(query))?.items[0]?.progress).toBe(1);
  });
});
