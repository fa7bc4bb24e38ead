import { expect, test } from "@playwright/test";
import { E2E_TOKEN } from "../playwright.config";
import { api, waitLive } from "./helpers";

test("asks for the API token, keeps it for the tab's session, and goes live", async ({ page, request }) => {
  const task = await api(request, E2E_TOKEN).enqueue({ payload: "secret work", t_type: "SMS" });
  await page.goto("/");
  const dialog = page.getByRole("dialog", { name: "API token required" });
  await expect(dialog).toBeVisible();

  await dialog.getByLabel("API token").fill("wrong-token");
  await dialog.getByRole("button", { name: "Save token" }).click();
  await expect(dialog.getByRole("alert")).toContainText("rejected");

  await dialog.getByLabel("API token").fill(E2E_TOKEN);
  await dialog.getByRole("button", { name: "Save token" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.locator(`tr[data-task-id="${task.id}"]`)).toBeVisible();
  await waitLive(page); // the event stream authenticates with ?access_token=

  const next = await api(request, E2E_TOKEN).enqueue({ payload: "live", t_type: "SMS" });
  await expect(page.locator(`tr[data-task-id="${next.id}"] .status-badge`)).toHaveText("COMPLETED");

  await page.reload();
  await expect(page.locator(`tr[data-task-id="${task.id}"]`)).toBeVisible();
  await expect(page.getByRole("dialog", { name: "API token required" })).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.getItem("pyqueue.apiToken"))).toBe(E2E_TOKEN);
});
