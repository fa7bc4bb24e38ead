import { expect, test } from "@playwright/test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { api, detail, enqueuedId, row, rowStatus, waitLive } from "./helpers";

test.beforeEach(async ({ request }) => {
  await api(request).clear();
});

/** Records every progress percentage the table row of a task shows (however briefly). */
async function recordProgress(page: import("@playwright/test").Page, id: string) {
  await page.evaluate((taskId) => {
    const w = window as unknown as { pyqueueProgress?: Record<string, number[]> };
    w.pyqueueProgress ??= {};
    const seen = (w.pyqueueProgress[taskId] = [] as number[]);
    const check = () => {
      const bar = document.querySelector(`tr[data-task-id="${taskId}"] [role="progressbar"]`);
      const value = bar?.getAttribute("aria-valuenow");
      if (value != null && seen[seen.length - 1] !== Number(value)) seen.push(Number(value));
    };
    new MutationObserver(check).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["aria-valuenow"],
    });
    check();
  }, id);
  return async () =>
    page.evaluate(
      (taskId) => (window as unknown as { pyqueueProgress: Record<string, number[]> }).pyqueueProgress[taskId] ?? [],
      id,
    );
}

test("a running task's progress bar fills live in the table and the detail panel", async ({ page, request }) => {
  await page.goto("/");
  await waitLive(page);
  // STEPS (tests/e2e_tasks.py) reports its progress in ten steps, and waits half way until the
  // file its payload names exists: the bar stays part way however slowly the browser gets there.
  const release = path.join(os.tmpdir(), `pyqueue-e2e-steps-${process.pid}-${Date.now()}`);
  const task = await api(request).enqueue({ payload: { release }, t_type: "STEPS" });
  await expect(row(page, task.id)).toBeVisible();
  const seen = await recordProgress(page, task.id);

  const bar = row(page, task.id).getByRole("progressbar");
  await expect(bar).toBeVisible({ timeout: 20_000 });
  await row(page, task.id).getByRole("button", { name: task.id }).click();
  const panelBar = detail(page).getByRole("progressbar");
  await expect(panelBar).toBeVisible();
  await expect(detail(page).locator('[data-field="progress"]')).toContainText("STEPS: step");
  await expect(bar).toHaveAttribute("aria-valuenow", /^[1-9]\d?$/); // part way: 1 to 99
  fs.writeFileSync(release, "go");

  await expect(rowStatus(page, task.id)).toHaveText("COMPLETED", { timeout: 20_000 });
  fs.rmSync(release);
  await expect(bar).toHaveCount(0); // finished tasks show their status, not a bar
  await expect(panelBar).toHaveAttribute("aria-valuenow", "100");
  await expect(detail(page).locator('[data-field="progress"]')).toContainText("STEPS: step 10 of 10");

  const values = await seen();
  expect(values.length, `progress seen: ${values.join(", ")}`).toBeGreaterThan(0);
  expect(values.some((v) => v > 0 && v < 100)).toBe(true); // it was seen part way, live
  expect([...values].sort((a, b) => a - b)).toEqual(values); // and it only went forward
  const stored = await api(request).get(task.id);
  expect(stored?.progress).toBe(1);
});

test("enqueueing an idempotency key twice through the form creates one task", async ({ page, request }) => {
  await page.goto("/");
  await waitLive(page);
  const form = page.getByRole("form", { name: "Enqueue a task" });
  await form.getByLabel("Type").selectOption("SMS");
  await form.getByLabel("Payload (JSON or text)").fill('{"to": "ada"}');
  await form.getByLabel("Timeout, s (optional)").fill("30");
  await form.getByLabel("Idempotency key (optional)").fill("welcome-ada");
  await form.getByRole("button", { name: "Enqueue" }).click();
  const id = await enqueuedId(page, "SMS");

  await form.getByRole("button", { name: "Enqueue" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Already enqueued as" })).toContainText(id);
  expect(await api(request).total()).toBe(1);
  const stored = await api(request).get(id);
  expect(stored?.idempotency_key).toBe("welcome-ada");
  expect(stored?.timeout_seconds).toBe(30);
});
