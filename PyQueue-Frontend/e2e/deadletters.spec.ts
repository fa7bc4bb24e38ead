import { expect, test } from "@playwright/test";
import { api, detail, rowStatus, waitLive } from "./helpers";

test.beforeEach(async ({ request }) => {
  await api(request).clear();
});

test("the FAILED view groups failures by error and retries one group", async ({ page, request }) => {
  const client = api(request);
  // FAILABS always fails with "… (attempt 1)" on a first attempt: one group of three.
  const failing = await client.batch([1, 2, 3].map((n) => ({ payload: { n }, t_type: "FAILABS", max_retries: 0 })));
  const other = await client.enqueue({ payload: "x", t_type: "EMAIL", delay_seconds: 3600 });
  const cancelled = await request.post(`/api/jobs/${other.id}/cancel`);
  expect(cancelled.ok()).toBe(true);

  await page.goto("/?status=FAILED");
  await waitLive(page);
  for (const task of failing) await expect(rowStatus(page, task.id)).toHaveText("FAILED");
  const groups = page.getByRole("region", { name: "Failures by error" });
  const group = groups.getByRole("listitem", {
    name: "FAILABS: RuntimeError: FAILABS task always fails (attempt 1)",
  });
  await expect(group).toBeVisible();
  await expect(group.locator(".failure-group__count")).toHaveText("3");
  await expect(groups.getByRole("listitem")).toHaveCount(1); // the CANCELLED task is no failure

  const finishedAt = async (id: string) => (await client.get(id))?.finished_at;
  const before = await Promise.all(failing.map((t) => finishedAt(t.id)));
  await group.getByRole("button", { name: "Retry this group: 3 failed FAILABS tasks" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Retrying 3 failed FAILABS tasks" })).toBeVisible();
  for (const [i, task] of failing.entries()) {
    // each ran again (and failed again: the group comes back once they have)
    await expect.poll(async () => (await finishedAt(task.id)) !== before[i], { timeout: 20_000 }).toBe(true);
  }
  await expect(group.locator(".failure-group__count")).toHaveText("3");

  // The type link filters the view.
  await group.getByRole("button", { name: "FAILABS", exact: true }).click();
  await expect(page).toHaveURL(/type=FAILABS/);
});

test("a failed task's payload is edited, validated, then retried", async ({ page, request }) => {
  const client = api(request);
  const task = await client.enqueue({ payload: { to: "ada@example" }, t_type: "FAILABS", max_retries: 0 });
  await expect.poll(async () => (await client.get(task.id))?.status, { timeout: 20_000 }).toBe("FAILED");
  const firstFinish = (await client.get(task.id))?.finished_at;

  await page.goto(`/?status=FAILED&task=${task.id}`);
  await waitLive(page);
  const panel = detail(page);
  await panel.getByRole("button", { name: "Edit payload and retry" }).click();
  const box = panel.getByLabel("Payload (JSON)");
  await expect(box).toHaveValue('{\n  "to": "ada@example"\n}');

  await box.fill('{"to": "grace@example",');
  await expect(panel.getByRole("status").filter({ hasText: "Invalid JSON" })).toBeVisible();
  await expect(panel.getByRole("button", { name: "Save and retry" })).toBeDisabled();

  await box.fill('{"to": "grace@example", "note": "<b>fixed</b>"}');
  await expect(panel.getByText("Valid JSON")).toBeVisible();
  await panel.getByRole("button", { name: "Save and retry" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Retrying ${task.id} with the edited payload` })).toBeVisible();
  await expect(box).toHaveCount(0);

  // The retry clears finished_at at once, so wait for the new attempt's end: FAILED again (FAILABS
  // fails whatever its payload) with another finish time.
  const failedAgain = async () => {
    const now = await client.get(task.id);
    return now?.status === "FAILED" && Boolean(now.finished_at) && now.finished_at !== firstFinish;
  };
  await expect.poll(failedAgain, { timeout: 20_000 }).toBe(true);
  const after = await client.get(task.id);
  expect(after?.payload).toEqual({ to: "grace@example", note: "<b>fixed</b>" });
  await expect(panel.getByText('"note": "<b>fixed</b>"')).toBeVisible(); // shown as text
  await expect(panel.locator("b")).toHaveCount(0);
});

test("a cancelled task runs to completion with its edited payload", async ({ page, request }) => {
  const client = api(request);
  const task = await client.enqueue({ payload: { to: "nobody" }, t_type: "SMS", delay_seconds: 3600 });
  expect((await request.post(`/api/jobs/${task.id}/cancel`)).ok()).toBe(true);

  await page.goto(`/?task=${task.id}`);
  await waitLive(page);
  const panel = detail(page);
  await panel.getByRole("button", { name: "Edit payload and retry" }).click();
  await panel.getByLabel("Payload (JSON)").fill('{"to": "+100"}');
  await panel.getByRole("button", { name: "Save and retry" }).click();
  await expect(rowStatus(page, task.id)).toHaveText("COMPLETED", { timeout: 20_000 });
  expect((await client.get(task.id))?.payload).toEqual({ to: "+100" });
  // A completed task offers no editing
  await expect(panel.getByRole("button", { name: "Edit payload and retry" })).toHaveCount(0);
});
