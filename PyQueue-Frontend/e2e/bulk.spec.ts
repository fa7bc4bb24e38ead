import { expect, test } from "@playwright/test";
import { api, row, rowStatus, waitLive } from "./helpers";

test.beforeEach(async ({ request }) => {
  await api(request).clear();
});

test("bulk retry of selected failed tasks, then retry all failed", async ({ page, request }) => {
  const client = api(request);
  const failing = await client.batch(
    [1, 2, 3].map((n) => ({ payload: { n }, t_type: "FAILABS", max_retries: 0 })),
  );
  await page.goto("/?status=FAILED");
  await waitLive(page);
  for (const task of failing) await expect(rowStatus(page, task.id)).toHaveText("FAILED");

  // A retried task runs again: its finished_at moves on.
  const finishedAt = async (id: string) => (await client.get(id))?.finished_at;
  const before = await Promise.all(failing.map((t) => finishedAt(t.id)));
  const ranAgain = (i: number) =>
    expect.poll(async () => (await finishedAt(failing[i]!.id)) !== before[i], { timeout: 15_000 }).toBe(true);

  await page.getByRole("checkbox", { name: `Select ${failing[0]!.id}` }).check();
  await page.getByRole("checkbox", { name: `Select ${failing[1]!.id}` }).check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Retry selected" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Retried 2 tasks" })).toBeVisible();
  await ranAgain(0);
  await ranAgain(1);
  expect(await finishedAt(failing[2]!.id)).toBe(before[2]);

  await expect(page.locator('[data-status-tab="FAILED"]')).toContainText("3");
  for (const task of failing) await expect(rowStatus(page, task.id)).toHaveText("FAILED");
  await page.getByRole("button", { name: "Retry all failed" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Retry all failed tasks?" });
  await expect(dialog).toContainText("Retry 3 failed tasks?");
  await dialog.getByRole("button", { name: "Retry 3 tasks" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Retrying 3 failed tasks" })).toBeVisible();
  await ranAgain(2);
});

test("bulk cancel and delete selected tasks", async ({ page, request }) => {
  // Scheduled an hour ahead, so all six wait QUEUED however long the page takes to load: a task
  // that ran (2.5 s here) and completed before the click could no longer be cancelled.
  const tasks = await api(request).batch(
    Array.from({ length: 6 }, (_, i) => ({ payload: { i }, t_type: "TAKESLONG", delay_seconds: 3600 })),
  );
  await page.goto("/");
  await waitLive(page);
  const [a, b, c] = [tasks[0]!, tasks[1]!, tasks[5]!];
  for (const task of [a, b]) await page.getByRole("checkbox", { name: `Select ${task.id}` }).check();
  await page.getByRole("button", { name: "Cancel selected" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Cancelled 2 tasks" })).toBeVisible();
  await expect(rowStatus(page, a.id)).toHaveText("CANCELLED");
  await expect(rowStatus(page, b.id)).toHaveText("CANCELLED");

  await page.getByRole("checkbox", { name: `Select ${c.id}` }).check();
  await page.getByRole("button", { name: "Delete selected" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete 1 task" }).click();
  await expect(row(page, c.id)).toHaveCount(0);
  await expect(page.getByText("1–5 of 5")).toBeVisible();
});

test("clear acts on the current filter and confirms with its count", async ({ page, request }) => {
  const client = api(request);
  await client.batch([
    { payload: "keep", t_type: "SMS" },
    { payload: "keep", t_type: "SMS" },
    { payload: "drop", t_type: "FAILABS", max_retries: 0 },
    { payload: "drop", t_type: "FAILABS", max_retries: 0 },
  ]);
  await page.goto("/");
  await page.getByRole("combobox", { name: "Filter by type" }).selectOption("FAILABS");
  await expect(page).toHaveURL(/\?type=FAILABS$/);
  await expect(page.getByText("1–2 of 2")).toBeVisible();

  await page.getByRole("button", { name: "Clear", exact: true }).click();
  const dialog = page.getByRole("alertdialog", { name: "Clear tasks?" });
  await expect(dialog).toContainText("Remove 2 tasks matching FAILABS?");
  await dialog.getByRole("button", { name: "Clear 2 tasks" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Removed 2 tasks" })).toBeVisible();
  await expect(page.getByText("No tasks match this view.")).toBeVisible();
  expect(await client.total()).toBe(2);
  expect(await client.total("&type=SMS")).toBe(2);
});

test("filters and page live in the URL and survive reload", async ({ page, request }) => {
  await api(request).batch(Array.from({ length: 13 }, (_, i) => ({ payload: { i }, t_type: "SMS" })));
  await api(request).batch([{ payload: "other", t_type: "EMAIL" }]);
  await page.goto("/");
  await expect(page.locator('[data-status-tab="COMPLETED"] .status-tabs__count')).toHaveText("14", {
    timeout: 20_000,
  });

  await page.getByRole("button", { name: /^COMPLETED/ }).click();
  await page.getByRole("combobox", { name: "Filter by type" }).selectOption("SMS");
  await page.getByRole("navigation", { name: "Pagination" }).getByRole("combobox").selectOption("10");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/\?status=COMPLETED&type=SMS&page=2&size=10$/);
  await expect(page.getByText("11–13 of 13")).toBeVisible();
  await expect(page.locator(".task-table tbody tr")).toHaveCount(3);

  await page.reload();
  await expect(page.getByText("11–13 of 13")).toBeVisible();
  await expect(page.getByRole("button", { name: /^COMPLETED/ })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("combobox", { name: "Filter by type" })).toHaveValue("SMS");

  await page.goBack();
  await expect(page).toHaveURL(/\?status=COMPLETED&type=SMS&size=10$/);
  await expect(page.getByText("1–10 of 13")).toBeVisible();

  const first = await page.locator(".task-table tbody tr").first().getAttribute("data-task-id");
  await page.getByRole("searchbox", { name: "Task ID" }).fill(first!);
  await page.getByRole("button", { name: "Open" }).click();
  await expect(page).toHaveURL(new RegExp(`task=${first}`));
  await expect(page.getByRole("region", { name: "Task detail" }).getByRole("heading", { name: first! })).toBeVisible();
});
