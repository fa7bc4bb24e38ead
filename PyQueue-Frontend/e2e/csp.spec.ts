import { expect, type Page, test } from "@playwright/test";
import { api, enqueuedId, rowStatus, waitLive } from "./helpers";

/**
 * The Content-Security-Policy allows no inline script: the dashboard, /docs and /redoc must work
 * under it without one violation (Chromium reports each as a `securitypolicyviolation` event and
 * a console error).
 */
function watchViolations(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  return problems;
}

test("the dashboard works under the Content-Security-Policy", async ({ page, request }) => {
  await api(request).clear();
  const problems = watchViolations(page);
  const response = await page.goto("/");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("script-src 'self';");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  await waitLive(page);
  const form = page.getByRole("form", { name: "Enqueue a task" });
  await form.getByLabel("Type").selectOption("SMS");
  await form.getByRole("button", { name: "Enqueue" }).click();
  const id = await enqueuedId(page, "SMS");
  await expect(rowStatus(page, id)).toHaveText("COMPLETED");
  expect(problems).toEqual([]);
});

test("Swagger UI at /docs works under the Content-Security-Policy", async ({ page }) => {
  const problems = watchViolations(page);
  const response = await page.goto("/docs");
  expect(response!.headers()["content-security-policy"]).toContain("script-src 'self';");
  // Rendered from /openapi.json by the bundle and the start-up script, both files.
  await expect(page.locator(".swagger-ui .info .title")).toContainText("PyQueue");
  const operation = page.locator(".opblock-summary-path").filter({ hasText: /^\/api\/enqueue$/ }).first();
  await expect(operation).toBeVisible();
  await operation.click();
  await expect(page.getByRole("button", { name: "Try it out" }).first()).toBeVisible();
  expect(problems).toEqual([]);
});

test("ReDoc at /redoc works under the Content-Security-Policy", async ({ page }) => {
  const problems = watchViolations(page);
  await page.goto("/redoc");
  await expect(page.locator("h1").first()).toContainText("PyQueue");
  await expect(page.getByText("/api/enqueue", { exact: false }).first()).toBeAttached();
  expect(problems).toEqual([]);
});
