import { expect, test } from "@playwright/test";
import { api, row, rowStatus, waitLive } from "./helpers";

test.beforeEach(async ({ request }) => {
  await api(request).clear();
});

test.afterEach(async ({ request }) => {
  // The server is shared by every spec: leave nothing paused.
  await request.post("/api/queue/resume");
  await request.post("/api/types/SMS/resume");
});

test("pausing a type from the dashboard keeps its tasks QUEUED while others run, until it is resumed", async ({
  page,
  request,
}) => {
  const rest = api(request);
  await page.goto("/");
  await waitLive(page);
  const controls = page.getByRole("region", { name: "Pause controls" });
  const sms = controls.getByRole("listitem", { name: "SMS", exact: true });
  await expect(sms).toContainText("Running");

  await controls.getByRole("button", { name: "Pause SMS", exact: true }).click();
  await expect(sms).toContainText("Paused");
  await expect(page.getByTestId("toast").filter({ hasText: "Paused SMS" })).toBeVisible();

  const waiting = await rest.enqueue({ t_type: "SMS", payload: { to: "+1" } });
  const other = await rest.enqueue({ t_type: "TEST", payload: {} });
  await expect(rowStatus(page, other.id)).toHaveText("COMPLETED");
  await expect(rowStatus(page, waiting.id)).toHaveText("QUEUED");
  expect((await rest.get(waiting.id))?.status).toBe("QUEUED");

  await controls.getByRole("button", { name: "Resume SMS", exact: true }).click();
  await expect(sms).toContainText("Running");
  await expect(rowStatus(page, waiting.id)).toHaveText("COMPLETED");
});

test("pausing the whole queue shows a banner and holds every task until it is resumed", async ({ page, request }) => {
  const rest = api(request);
  await page.goto("/");
  await waitLive(page);
  const controls = page.getByRole("region", { name: "Pause controls" });
  await expect(controls.getByTestId("queue-state")).toHaveText("Queue running");

  await controls.getByRole("button", { name: "Pause queue" }).click();
  await expect(controls.getByTestId("queue-state")).toHaveText("Queue paused");
  await expect(controls.getByRole("status")).toContainText("no task starts in any process");
  expect((await (await request.get("/api/queue")).json()).paused).toBe(true);

  const held = await rest.enqueue({ t_type: "SMS", payload: { to: "+2" } });
  await expect(row(page, held.id)).toBeVisible();
  await expect(rowStatus(page, held.id)).toHaveText("QUEUED");

  await controls.getByRole("button", { name: "Resume queue" }).click();
  await expect(controls.getByTestId("queue-state")).toHaveText("Queue running");
  await expect(controls.getByRole("status")).toHaveCount(0);
  await expect(rowStatus(page, held.id)).toHaveText("COMPLETED");
});
