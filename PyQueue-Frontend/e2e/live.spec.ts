import { expect, test } from "@playwright/test";
import { api, detail, enqueuedId, enqueueThroughForm, recordStatuses, row, rowStatus, saturate, waitLive } from "./helpers";

test.beforeEach(async ({ request }) => {
  await api(request).clear();
});

test("a task enqueued through the form goes QUEUED → INPROGRESS → COMPLETED without reload", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await waitLive(page);
  await page.evaluate(() => ((window as unknown as { pyqueueNoReload: boolean }).pyqueueNoReload = true));
  const client = api(request);
  const holders = await client.batch(saturate); // the workers are busy: the new task has to wait

  const id = await enqueueThroughForm(page, "TAKESLONG", '{"report": "quarterly", "pages": 12}');
  const seen = await recordStatuses(page, id);
  const status = rowStatus(page, id);
  await expect(status).toHaveText("QUEUED");
  for (const holder of holders) await client.cancel(holder.id); // now a worker is free for it
  await expect(status).toHaveText("INPROGRESS", { timeout: 20_000 });
  await expect(status).toHaveText("COMPLETED", { timeout: 20_000 });

  expect(await seen()).toEqual(["QUEUED", "INPROGRESS", "COMPLETED"]);
  await expect(row(page, id).locator('[data-col="type"]')).toHaveText("TAKESLONG");
  await expect(row(page, id).locator('[data-col="attempts"]')).toHaveText("1 / 4");
  expect(await page.evaluate(() => (window as unknown as { pyqueueNoReload?: boolean }).pyqueueNoReload)).toBe(true);

  await row(page, id).getByRole("button", { name: id }).click();
  await expect(detail(page).getByLabel("Payload")).toHaveText(
    JSON.stringify({ report: "quarterly", pages: 12 }, null, 2),
  );
  await expect(detail(page).getByLabel("Result")).not.toHaveText("null");
});

test("while the event stream is down the dashboard polls, then it reconnects and goes live", async ({
  page,
  request,
}) => {
  let refused = 0;
  await page.route("**/api/events", async (route) => {
    if (refused < 2) {
      refused++;
      await route.fulfill({ status: 503, contentType: "application/json", body: '{"detail":"down"}' });
    } else {
      await route.continue();
    }
  });
  await page.goto("/");
  await expect(page.locator('.live-indicator[data-mode="polling"]')).toBeVisible();
  const task = await api(request).enqueue({ payload: "seen by polling", t_type: "SMS" });
  await expect(row(page, task.id)).toBeVisible(); // the fallback poll found it
  await waitLive(page); // after a backoff of about 1 s, then 2 s
  expect(refused).toBe(2);
  const next = await api(request).enqueue({ payload: "seen live", t_type: "SMS" });
  await expect(rowStatus(page, next.id)).toHaveText("COMPLETED");
});

test("an always-failing task ends FAILED, and Retry brings it back", async ({ page }) => {
  await page.goto("/");
  await waitLive(page);
  const id = await enqueueThroughForm(page, "FAILABS", '"always fails"', 0);
  await expect(rowStatus(page, id)).toHaveText("FAILED");

  await row(page, id).getByRole("button", { name: id }).click();
  const panel = detail(page);
  await expect(panel.locator('[data-field="attempts"]')).toHaveText("1 / 1");
  await expect(panel.getByLabel("Last error")).not.toBeEmpty();

  const seen = await recordStatuses(page, id);
  await panel.getByRole("button", { name: "Retry", exact: true }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Retrying ${id}` })).toBeVisible();
  // Back in the queue (a manual retry starts a fresh attempt budget), run again, failed again.
  await expect.poll(async () => (await seen()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
  const sequence = await seen();
  expect(sequence[0]).toBe("FAILED");
  expect(["QUEUED", "INPROGRESS"]).toContain(sequence[1]);
  await expect(rowStatus(page, id)).toHaveText("FAILED");
  expect((await seen()).at(-1)).toBe("FAILED");
  await expect(panel.locator('[data-field="status"]')).toHaveText("FAILED");
  await expect(panel.locator('[data-field="attempts"]')).toHaveText("1 / 1");
});

test("cancel a queued task and a running one", async ({ page, request }) => {
  await page.goto("/");
  await waitLive(page);
  const [running] = await api(request).batch(saturate); // HOLD: runs until cancelled
  const queued = await api(request).enqueue({ payload: "wait for me", t_type: "SMS" });
  await expect(rowStatus(page, running!.id)).toHaveText("INPROGRESS");
  await expect(rowStatus(page, queued.id)).toHaveText("QUEUED");

  await row(page, queued.id).getByRole("button", { name: queued.id }).click();
  await detail(page).getByRole("button", { name: "Cancel" }).click();
  await expect(rowStatus(page, queued.id)).toHaveText("CANCELLED");
  await expect(detail(page).getByRole("button", { name: "Retry", exact: true })).toBeEnabled();

  await expect(rowStatus(page, running!.id)).toHaveText("INPROGRESS");
  await row(page, running!.id).getByRole("button", { name: running!.id }).click();
  await detail(page).getByRole("button", { name: "Cancel" }).click();
  await expect(rowStatus(page, running!.id)).toHaveText("CANCELLED");
});

test("delete a task after confirming", async ({ page, request }) => {
  const task = await api(request).enqueue({ payload: { to: "bye@example.com" }, t_type: "EMAIL" });
  await page.goto(`/?task=${task.id}`);
  await expect(detail(page).getByRole("heading", { name: task.id })).toBeVisible();
  await detail(page).getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Delete task?" });
  await expect(dialog).toContainText(task.id);
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Deleted ${task.id}` })).toBeVisible();
  await expect(row(page, task.id)).toHaveCount(0);
  await expect(detail(page)).toHaveCount(0);
  expect(await api(request).get(task.id)).toBeNull();
});

test("task data is shown as text, never as HTML", async ({ page }) => {
  const xss = "<img src=x onerror=alert(1)>";
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto("/");
  const id = await enqueueThroughForm(page, "TEST", xss);
  await row(page, id).getByRole("button", { name: id }).click();
  await expect(detail(page).getByLabel("Payload")).toHaveText(JSON.stringify(xss));
  await expect(rowStatus(page, id)).toHaveText("COMPLETED");
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("enqueue a copy of a task from its detail panel", async ({ page, request }) => {
  const original = await api(request).enqueue({ payload: { to: "copy@example.com" }, t_type: "SMS", max_retries: 2 });
  await page.goto(`/?task=${original.id}`);
  await detail(page).getByRole("button", { name: "Enqueue a copy" }).click();
  const copyId = await enqueuedId(page, "SMS");
  expect(copyId).not.toBe(original.id);
  await expect(page).toHaveURL(new RegExp(`task=${copyId}`));
  await expect(detail(page).getByRole("heading", { name: copyId })).toBeVisible();
  await expect(detail(page).getByLabel("Payload")).toHaveText(JSON.stringify({ to: "copy@example.com" }, null, 2));
  await expect(detail(page).locator('[data-field="max_retries"]')).toHaveText("2");
});

test("keyboard only: enqueue, open the task, confirm a delete", async ({ page }) => {
  await page.goto("/");
  const form = page.getByRole("form", { name: "Enqueue a task" });
  await form.getByLabel("Type").focus();
  await page.keyboard.press("End"); // last type in the list
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Payload (JSON or text)")).toBeFocused();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("typed with the keyboard");
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Max retries (optional)")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Priority")).toBeFocused();
  await page.keyboard.press("ArrowUp"); // 0 → 1
  await expect(form.getByLabel("Priority")).toHaveValue("1");
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Delay (optional)")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Delay unit")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Timeout, s (optional)")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Idempotency key (optional)")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(form.getByRole("button", { name: "Enqueue" })).toBeFocused();
  await page.keyboard.press("Enter");
  const toast = page.getByTestId("toast").filter({ hasText: "Enqueued Task-" });
  const id = /Enqueued (Task-\S+)/.exec((await toast.textContent()) ?? "")?.[1];
  expect(id).toBeTruthy();
  await expect(row(page, id!).locator('[data-col="priority"]')).toHaveText("1");

  await row(page, id!).getByRole("button", { name: id! }).focus();
  await page.keyboard.press("Enter");
  const deleteButton = detail(page).getByRole("button", { name: "Delete" });
  await deleteButton.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("alertdialog", { name: "Delete task?" });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(deleteButton).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Delete" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(row(page, id!)).toHaveCount(0);
});
