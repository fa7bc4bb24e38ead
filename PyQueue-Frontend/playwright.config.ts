/**
 * End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium) against the real
 * backend, which Playwright starts (and stops) itself: one server without auth, one with
 * PYQUEUE_API_TOKEN for the token prompt, one with an admin and a read-only token (roles). Both use the memory store and serve the built dist/.
 * Run through `npm run e2e` (scripts/e2e.mjs), which skips cleanly without Chromium outside CI.
 */
import { defineConfig } from "@playwright/test";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.E2E_PORT ?? 8765);
const tokenPort = port + 1;
const rolesPort = port + 2;
const backendDir = path.join(here, "..", "PyQueue-Backend");
const pyqueue = process.env.PYQUEUE_BIN ?? path.join(backendDir, ".venv", "bin", "pyqueue");
export const E2E_TOKEN = "e2e-secret-token";
export const E2E_READONLY_TOKEN = "e2e-readonly-token";

function backend(listen: number, extraEnv: Record<string, string> = {}) {
  return {
    // `exec` so the server is the process Playwright stops.
    command: `exec "${pyqueue}" serve`,
    cwd: backendDir, // where PYQUEUE_TASK_MODULES finds tests.e2e_tasks (HOLD and STEPS)
    url: `http://127.0.0.1:${listen}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      PYQUEUE_HOST: "127.0.0.1",
      PYQUEUE_PORT: String(listen),
      PYQUEUE_DATABASE_URL: "memory://",
      PYQUEUE_WORKERS: "4",
      PYQUEUE_DEMO_TIME_SCALE: "0.25",
      PYQUEUE_RETRY_BACKOFF_BASE: "0.2",
      PYQUEUE_RETRY_BACKOFF_MAX: "1",
      PYQUEUE_STATIC_DIR: process.env.E2E_DIST ?? path.join(here, "dist"),
      PYQUEUE_TASK_MODULES: "tests.e2e_tasks",
      PYQUEUE_LOG_LEVEL: "ERROR", // handlers that fail on purpose would fill the output with tracebacks
      PYQUEUE_API_TOKEN: "",
      PYQUEUE_READONLY_TOKEN: "",
      ...extraEnv,
    },
  };
}

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    browserName: "chromium",
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    {
      name: "dashboard",
      testIgnore: /(token|roles)\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${port}` },
    },
    {
      name: "token",
      testMatch: /token\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${tokenPort}` },
    },
    {
      name: "roles",
      testMatch: /roles\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${rolesPort}` },
    },
  ],
  webServer: [
    backend(port),
    backend(tokenPort, { PYQUEUE_API_TOKEN: E2E_TOKEN }),
    backend(rolesPort, { PYQUEUE_API_TOKEN: E2E_TOKEN, PYQUEUE_READONLY_TOKEN: E2E_READONLY_TOKEN }),
  ],
});
