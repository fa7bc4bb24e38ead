import { expect, test } from "@playwright/test";
import { api, detail, enqueuedId, row, rowStatus, waitLive } from "./helpers";

test.beforeEach(async ({ request }) => {
  await api(request).clear();
});

test("a delayed high-priority task enqueued through the form waits QUEUED with its countdown and priority", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await waitLive(page);

  const form = page.getByRole("form", { name: "Enqueue a task" });
  await form.getByLabel("Type").selectOption("SMS");
  await form.getByLabel("Payload (JSON or text)").fill('{"to": "+100", "text": "later"}');
  await form.getByLabel("Priority").fill("75");
  await form.getByLabel("Delay (optional)").fill("5");
  await form.getByLabel("Delay unit").selectOption("minutes");
  const before = Date.now();
  await form.getByRole("button", { name: "Enqueue" }).click();
  const id = await enqueuedId(page, "SMS");

  // The server got priority and delay_seconds: a QUEUED task with next_run_at ~5 minutes ahead.
  const task = await api(request).get(id);
  expect(task?.status).toBe("QUEUED");
  expect(task?.priority).toBe(75);
  const runAt = Date.parse(task?.next_run_at ?? "");
  expect(runAt - before).toBeGreaterThan(290_000);
  expect(runAt - before).toBeLessThan(310_000);

  await expect(rowStatus(page, id)).toHaveText("QUEUED");
  await expect(row(page, id).locator('[data-col="status"]')).toContainText(/runs in [45]m/);
  const priority = row(page, id).locator('[data-col="priority"]');
  await expect(priority).toHaveText("75");
  await expect(priority).toHaveClass(/task-table__priority--high/);

  await row(page, id).getByRole("button", { name: id }).click();
  const panel = detail(page);
  await expect(panel.locator('[data-field="priority"]')).toHaveText("75");
  await expect(panel.locator('[data-field="next_run_at"]')).toContainText(/runs in [45]m/);

  // Workers are idle, yet it does not run before its time.
  await page.waitForTimeout(1500);
  await expect(rowStatus(page, id)).toHaveText("QUEUED");
  expect((await api(request).get(id))?.status).toBe("QUEUED");
});

test("a delay of a few seconds counts down, then the task runs", async ({ page, request }) => {
  await page.goto("/");
  await waitLive(page);
  const form = page.getByRole("form", { name: "Enqueue a task" });
  await form.getByLabel("Type").selectOption("SMS");
  await form.getByLabel("Payload (JSON or text)").fill('"soon"');
  await form.getByLabel("Priority").fill("0");
  await form.getByLabel("Delay (optional)").fill("4");
  await form.getByLabel("Delay unit").selectOption("seconds");
  await form.getByRole("button", { name: "Enqueue" }).click();
  const id = await enqueuedId(page, "SMS");

  await expect(row(page, id).locator('[data-col="status"]')).toContainText(/runs in [1-4]s/);
  await expect(row(page, id).locator('[data-col="priority"]')).toHaveText("0");
  await expect(rowStatus(page, id)).toHaveText("COMPLETED", { timeout: 20_000 });
  const task = await api(request).get(id);
  expect(Date.parse(task?.started_at ?? "")).toBeGreaterThanOrEqual(Date.parse(task?.created_at ?? "") + 3_500);
});
