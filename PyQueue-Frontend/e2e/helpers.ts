import { type APIRequestContext, expect, type Page } from "@playwright/test";
import type { EnqueueInput, Task } from "../src/api/types";

/** Direct REST calls for setting up and checking state (the UI is what is under test). */
export function api(request: APIRequestContext, token?: string) {
  const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
  return {
    async clear() {
      expect((await request.post("/api/clear", { headers })).ok()).toBe(true);
    },
    async enqueue(task: EnqueueInput): Promise<Task> {
      const response = await request.post("/api/enqueue", { data: task, headers });
      expect(response.status()).toBe(201);
      return (await response.json()) as Task;
    },
    async batch(tasks: EnqueueInput[]): Promise<Task[]> {
      const response = await request.post("/api/enqueue/batch", { data: { tasks }, headers });
      expect(response.status()).toBe(201);
      return (await response.json()) as Task[];
    },
    async cancel(id: string): Promise<Task> {
      const response = await request.post(`/api/jobs/${id}/cancel`, { headers });
      expect(response.ok()).toBe(true);
      return (await response.json()) as Task;
    },
    async get(id: string): Promise<Task | null> {
      const response = await request.get(`/api/jobs/${id}`, { headers });
      return response.ok() ? ((await response.json()) as Task) : null;
    },
    async total(query = ""): Promise<number> {
      const response = await request.get(`/api/jobs?limit=1${query}`, { headers });
      return Number(response.headers()["x-total-count"]);
    },
  };
}

/**
 * Four HOLD tasks (tests/e2e_tasks.py: they run until cancelled) keep the 4 workers busy, so
 * the next task waits QUEUED however slowly the machine runs; cancel them to let it start.
 */
export const saturate = Array.from({ length: 4 }, (_, i) => ({ payload: { filler: i }, t_type: "HOLD" }));

export function row(page: Page, id: string) {
  return page.locator(`tr[data-task-id="${id}"]`);
}

export function rowStatus(page: Page, id: string) {
  return row(page, id).locator('[data-col="status"] .status-badge');
}

export function detail(page: Page) {
  return page.getByRole("region", { name: "Task detail" });
}

/** Waits until the dashboard is connected to the event stream (not polling). */
export async function waitLive(page: Page) {
  await expect(page.locator('.live-indicator[data-mode="live"]')).toBeVisible();
}

/** The id in the "Enqueued Task-… (TYPE)" toast. */
export async function enqueuedId(page: Page, type: string): Promise<string> {
  const toast = page.getByTestId("toast").filter({ hasText: `(${type})` }).last();
  await expect(toast).toContainText("Enqueued Task-");
  const text = (await toast.textContent()) ?? "";
  const id = /Enqueued (Task-\S+)/.exec(text)?.[1];
  expect(id, `task id in toast "${text}"`).toBeTruthy();
  return id!;
}

/**
 * Records every status the page shows for a task in its table row, so a test can check the
 * whole sequence, even states that last less than an assertion's polling interval.
 */
export async function recordStatuses(page: Page, id: string) {
  await page.evaluate((taskId) => {
    const w = window as unknown as { pyqueueSeen?: Record<string, string[]> };
    w.pyqueueSeen ??= {};
    const seen = (w.pyqueueSeen[taskId] = [] as string[]);
    const check = () => {
      const badge = document.querySelector(`tr[data-task-id="${taskId}"] [data-col="status"] .status-badge`);
      const text = badge?.textContent ?? null;
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
    check();
  }, id);
  return async () =>
    page.evaluate((taskId) => (window as unknown as { pyqueueSeen: Record<string, string[]> }).pyqueueSeen[taskId] ?? [], id);
}

export async function enqueueThroughForm(page: Page, type: string, payload: string, maxRetries?: number) {
  const form = page.getByRole("form", { name: "Enqueue a task" });
  await form.getByLabel("Type").selectOption(type);
  await form.getByLabel("Payload (JSON or text)").fill(payload);
  await form.getByLabel("Max retries (optional)").fill(maxRetries === undefined ? "" : String(maxRetries));
  await form.getByRole("button", { name: "Enqueue" }).click();
  return enqueuedId(page, type);
}
