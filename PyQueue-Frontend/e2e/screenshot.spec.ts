import { expect, test } from "@playwright/test";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { api, detail, waitLive } from "./helpers";

// The README's screenshot is rewritten only on request (`make screenshot`), so a test run leaves
// the work tree clean; otherwise the picture goes to test-results/ for a look.
const here = path.dirname(fileURLToPath(import.meta.url));
const output = process.env.UPDATE_SCREENSHOT
  ? path.resolve(here, "..", "..", "additional_docs", "dashboard.png")
  : path.resolve(here, "..", "test-results", "dashboard.png");

test("screenshot of a populated dashboard for the README", async ({ page, request }) => {
  const client = api(request);
  await client.clear();
  const types = ["EMAIL", "SMS", "REPORT", "DATACLEANUP", "NEWSLETTER", "FAIL", "TEST", "SMS", "EMAIL"];
  const tasks = await client.batch(
    Array.from({ length: 36 }, (_, i) => ({
      payload: { customer: `cust-${1000 + i}`, attempt_note: i % 4 === 0 ? "priority" : "normal" },
      t_type: types[i % types.length]!,
      max_retries: 2,
    })),
  );
  const [flaky] = await client.batch([
    { payload: { report: "monthly-revenue" }, t_type: "FAILABS", max_retries: 2 },
    { payload: { to: "ops@example.com" }, t_type: "FAILABS", max_retries: 0 },
  ]);
  // A periodic task and a delayed one, so the schedules panel and a "runs in" countdown show.
  for (const schedule of (await (await request.get("/api/schedules")).json()) as { id: string }[]) {
    await request.delete(`/api/schedules/${encodeURIComponent(schedule.id)}`);
  }
  const created = await request.post("/api/schedules", {
    data: { t_type: "REPORT", payload: { report: "daily-digest" }, cron: "0 7 * * *", timezone: "Europe/Berlin" },
  });
  expect(created.status()).toBe(201);
  await client.enqueue({ payload: { to: "vip@example.com" }, t_type: "EMAIL", priority: 50, delay_seconds: 600 });
  await page.goto("/");
  await waitLive(page);
  await expect(page.locator('[data-stat="COMPLETED"] .stat-card__value')).not.toHaveText(/^(…|[0-9])$/, {
    timeout: 30_000,
  });
  // The detail panel shows a task that failed three times: its attempt list has every attempt.
  const shown = flaky!;
  expect(tasks.length).toBeGreaterThan(0);
  await page.goto(`/?task=${shown.id}`);
  await expect(detail(page).locator('[data-field="status"]')).toHaveText("FAILED", { timeout: 30_000 });
  await expect(detail(page).locator(".attempt-list > li")).toHaveCount(3);
  await client.batch(
    Array.from({ length: 8 }, (_, i) => ({ payload: { batch: "late", i }, t_type: i % 2 ? "TAKESLONG" : "REPORT" })),
  );
  // Running REPORT / TAKESLONG tasks report their progress: a bar in the table.
  await expect(page.locator(".task-table .progress__fill").first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator(".throughput-chart canvas")).toBeVisible();
  await expect(page.locator('[data-status-tab="INPROGRESS"] .status-tabs__count')).not.toHaveText("0");
  // Counts refresh shortly after the rows (throttled): wait until they agree.
  await expect(page.locator('[data-stat="FAILED"] .stat-card__value')).not.toHaveText("0");
  await expect(page.locator('[data-status-tab="FAILED"] .status-tabs__count')).not.toHaveText("0");
  await expect(page.locator(".overview figcaption")).not.toContainText(" 0 failed");
  await page.screenshot({ path: output, fullPage: true });
});
