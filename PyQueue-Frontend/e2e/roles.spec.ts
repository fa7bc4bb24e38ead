import { expect, type Page, test } from "@playwright/test";
import { E2E_READONLY_TOKEN, E2E_TOKEN } from "../playwright.config";
import { api, detail, row, rowStatus, waitLive } from "./helpers";

/** Opens the dashboard and gives the token prompt `token`. */
async function signIn(page: Page, token: string, path = "/") {
  await page.goto(path);
  const dialog = page.getByRole("dialog", { name: "API token required" });
  await dialog.getByLabel("API token").fill(token);
  await dialog.getByRole("button", { name: "Save token" }).click();
  await expect(dialog).toHaveCount(0);
}

test("a read-only token reads everything and can change nothing", async ({ page, request }) => {
  const admin = api(request, E2E_TOKEN);
  const [failed] = await admin.batch([{ payload: { n: 1 }, t_type: "FAILABS", max_retries: 0 }]);
  await expect.poll(async () => (await admin.get(failed!.id))?.status, { timeout: 15_000 }).toBe("FAILED");

  await signIn(page, E2E_READONLY_TOKEN, `/?task=${failed!.id}`);
  await expect(page.locator(".role-badge")).toHaveText("Read-only");
  await waitLive(page); // the event stream is a read: it is open to this token
  await expect(rowStatus(page, failed!.id)).toHaveText("FAILED");

  const panel = detail(page);
  const actions = panel.getByRole("group", { name: "Task actions" });
  await expect(actions.getByRole("button", { name: "Retry", exact: true })).toBeDisabled();
  for (const button of await actions.getByRole("button").all()) await expect(button).toBeDisabled();
  await expect(panel.getByRole("button", { name: "Close task detail" })).toBeEnabled();

  const form = page.getByRole("form", { name: "Enqueue a task" });
  await expect(form.getByRole("button", { name: "Enqueue" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Retry all failed" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Clear", exact: true })).toBeDisabled();
  await row(page, failed!.id).getByRole("checkbox").check(); // selecting is reading
  await expect(page.getByRole("button", { name: "Retry selected" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Delete selected" })).toBeDisabled();
  const pause = page.getByRole("region", { name: "Pause controls" });
  for (const button of await pause.getByRole("button").all()) await expect(button).toBeDisabled();
  await expect(page.getByRole("region", { name: "Audit log" })).toHaveCount(0);

  // The server is what refuses: the same change with this token is a 403 that says why.
  const refused = await request.post(`/api/jobs/${failed!.id}/retry`, {
    headers: { Authorization: `Bearer ${E2E_READONLY_TOKEN}` },
  });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { detail: string }).detail).toContain("read-only");
  expect((await admin.get(failed!.id))?.status).toBe("FAILED");
});

test("the admin token changes things and sees them in the audit log", async ({ page, request }) => {
  const admin = api(request, E2E_TOKEN);
  const [failed] = await admin.batch([{ payload: { n: 2 }, t_type: "FAILABS", max_retries: 0 }]);
  await expect.poll(async () => (await admin.get(failed!.id))?.status, { timeout: 15_000 }).toBe("FAILED");

  await signIn(page, E2E_TOKEN, `/?task=${failed!.id}`);
  await expect(page.locator(".role-badge")).toHaveText("Admin");
  const retry = detail(page).getByRole("button", { name: "Retry", exact: true });
  await expect(retry).toBeEnabled();
  await retry.click();

  const log = page.getByRole("region", { name: "Audit log" });
  const entry = log.getByRole("row").filter({ hasText: failed!.id }).first();
  await expect(entry).toContainText("retry");
  await expect(entry).toContainText("admin");
  await expect(entry).toContainText("127.0.0.1");
});
