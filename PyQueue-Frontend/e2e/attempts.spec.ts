import { expect, test } from "@playwright/test";
import { api, detail, waitLive } from "./helpers";

test.beforeEach(async ({ request }) => {
  await api(request).clear();
});

test("the task detail lists every attempt of a failing task, each with its error and traceback", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await waitLive(page);
  // FAILABS always fails: with two retries it runs three times (RETRY, RETRY, FAILED).
  const task = await api(request).enqueue({ t_type: "FAILABS", payload: { n: 1 }, max_retries: 2 });
  await page.goto(`/?task=${task.id}`);
  await waitLive(page);

  const attempts = detail(page).getByRole("region", { name: "Attempts" });
  const items = attempts.getByRole("listitem");
  await expect(items).toHaveCount(3);
  await expect(attempts.getByRole("heading", { name: "Attempts (3)" })).toBeVisible();
  await expect(items.nth(0)).toHaveAttribute("aria-label", "Attempt 1: Failed, retry scheduled");
  await expect(items.nth(1)).toHaveAttribute("aria-label", "Attempt 2: Failed, retry scheduled");
  await expect(items.nth(2)).toHaveAttribute("aria-label", "Attempt 3: Failed");
  for (const n of [0, 1, 2]) {
    await expect(items.nth(n)).toContainText(`RuntimeError: FAILABS task always fails (attempt ${n + 1})`);
  }

  const first = items.nth(0);
  const traceback = first.locator("details pre");
  await expect(traceback).toBeHidden();
  await first.locator("summary", { hasText: "Traceback" }).click();
  await expect(traceback).toBeVisible();
  await expect(traceback).toContainText("Traceback (most recent call last):");
  await expect(traceback).toContainText("RuntimeError: FAILABS task always fails (attempt 1)");

  const rest = await request.get(`/api/jobs/${task.id}/attempts`);
  expect(rest.status()).toBe(200);
  const body = (await rest.json()) as { worker: string }[];
  await expect(first).toContainText(body[0]!.worker);
});
