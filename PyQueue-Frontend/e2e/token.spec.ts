import { expect, type Request, test } from "@playwright/test";
import { E2E_TOKEN } from "../playwright.config";
import { api, waitLive } from "./helpers";

test("asks for the API token, keeps it for the tab's session, and goes live", async ({ page, request }) => {
  const requests: Request[] = [];
  page.on("request", (r) => requests.push(r));
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
  await waitLive(page);
  // The event stream authenticates with the header, like every other call.
  const stream = requests.filter((r) => new URL(r.url()).pathname === "/api/events").at(-1);
  expect((await stream!.allHeaders())["authorization"]).toBe(`Bearer ${E2E_TOKEN}`);

  const next = await api(request, E2E_TOKEN).enqueue({ payload: "live", t_type: "SMS" });
  await expect(page.locator(`tr[data-task-id="${next.id}"] .status-badge`)).toHaveText("COMPLETED");

  await page.reload();
  await expect(page.locator(`tr[data-task-id="${task.id}"]`)).toBeVisible();
  await expect(page.getByRole("dialog", { name: "API token required" })).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.getItem("pyqueue.apiToken"))).toBe(E2E_TOKEN);
  await waitLive(page);
  const urls = requests.map((r) => r.url());
  expect(urls.filter((url) => url.includes(E2E_TOKEN) || url.includes("access_token"))).toEqual([]);
});

test("the event stream does not accept the token in its URL", async ({ request }) => {
  const response = await request.get(`/api/events?access_token=${E2E_TOKEN}`);
  expect(response.status()).toBe(401);
});
