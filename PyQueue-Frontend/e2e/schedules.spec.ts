import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import type { Schedule, Task } from "../src/api/types";
import { api } from "./helpers";

async function schedules(request: APIRequestContext): Promise<Schedule[]> {
  const response = await request.get("/api/schedules");
  expect(response.ok()).toBe(true);
  return (await response.json()) as Schedule[];
}

test.beforeEach(async ({ request }) => {
  for (const schedule of await schedules(request)) {
    expect((await request.delete(`/api/schedules/${encodeURIComponent(schedule.id)}`)).status()).toBe(204);
  }
  await api(request).clear();
});

function panel(page: Page) {
  return page.getByRole("region", { name: "Schedules" });
}

async function createThroughForm(page: Page, type: string, cron: string, payload: string, zone = "UTC") {
  const form = page.getByRole("form", { name: "Create a schedule" });
  await form.getByLabel("Type").selectOption(type);
  await form.getByLabel("Cron").fill(cron);
  await form.getByLabel("Time zone").fill(zone);
  await form.getByLabel("Payload (JSON object)").fill(payload);
  await form.getByRole("button", { name: "Create schedule" }).click();
}

test("a schedule created in the dashboard enqueues its type every tick, pauses, resumes and is deleted", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await expect(panel(page).getByText("No schedules yet.")).toBeVisible();

  await createThroughForm(page, "SMS", "* * * * * *", '{"to": "+100"}'); // every second
  await expect(page.getByTestId("toast").filter({ hasText: "Scheduled SMS (* * * * * *)" })).toBeVisible();
  const [created] = await schedules(request);
  expect(created).toMatchObject({ t_type: "SMS", cron: "* * * * * *", timezone: "UTC", paused: false });
  const row = panel(page).locator(`tr[data-schedule-id="${created!.id}"]`);
  await expect(row.locator('[data-col="payload"]')).toHaveText('{"to":"+100"}');
  await expect(row.locator('[data-col="next_run_at"]')).toHaveText(/^in \d+s$/);

  // The server enqueues the ticks: SMS tasks with the tick in their payload; the row shows the last run.
  await expect
    .poll(async () => (await request.get("/api/jobs?type=SMS&limit=1")).headers()["x-total-count"])
    .not.toBe("0");
  const [task] = (await (await request.get("/api/jobs?type=SMS&limit=1")).json()) as Task[];
  const payload = task!.payload as { to: string; schedule_id: string; scheduled_for: string };
  expect(payload).toMatchObject({ to: "+100", schedule_id: created!.id });
  expect(Date.parse(payload.scheduled_for)).not.toBeNaN();
  await expect(row.locator('[data-col="last_run_at"]')).toHaveText(/ago$/);

  await row.getByRole("button", { name: "Pause" }).click();
  await expect(row.locator('[data-col="next_run_at"]')).toHaveText("Paused");
  await expect(row.getByRole("button", { name: "Resume" })).toHaveAttribute("aria-pressed", "true");
  expect((await schedules(request))[0]?.paused).toBe(true);

  await row.getByRole("button", { name: "Resume" }).click();
  await expect(row.getByRole("button", { name: "Pause" })).toBeVisible();
  expect((await schedules(request))[0]?.paused).toBe(false);

  await row.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Delete this schedule?" });
  await expect(dialog).toContainText("Tasks it already enqueued stay.");
  await dialog.getByRole("button", { name: "Delete schedule" }).click();
  await expect(row).toHaveCount(0);
  await expect(panel(page).getByText("No schedules yet.")).toBeVisible();
  expect(await schedules(request)).toEqual([]);
});

test("cancelling the delete keeps the schedule; bad input is explained and creates nothing", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await createThroughForm(page, "EMAIL", "0 9 * * 1-5", '{"to": "ops@example.com"}', "Europe/Berlin");
  const [created] = await schedules(request);
  const row = panel(page).locator(`tr[data-schedule-id="${created!.id}"]`);
  await expect(row.locator('[data-col="cron"]')).toHaveText("0 9 * * 1-5 Europe/Berlin");
  await expect(row.locator('[data-col="last_run_at"]')).toHaveText("never");

  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
  await expect(row).toBeVisible();

  await createThroughForm(page, "EMAIL", "61 * * * *", "{}");
  await expect(page.getByTestId("toast").filter({ hasText: "Create schedule failed: cron:" })).toBeVisible();
  await createThroughForm(page, "EMAIL", "0 * * * *", "{}", "Mars/Olympus");
  await expect(page.getByTestId("toast").filter({ hasText: "Create schedule failed: timezone:" })).toBeVisible();
  expect(await schedules(request)).toHaveLength(1);
});
