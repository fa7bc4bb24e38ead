#!/usr/bin/env node
// Runs the Playwright suite (extra arguments are passed on).
// Without Chromium it skips with a clear reason, unless CI is set: then it fails.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const pyqueue =
  process.env.PYQUEUE_BIN ?? path.join(root, "..", "PyQueue-Backend", ".venv", "bin", "pyqueue");
const ci = Boolean(process.env.CI) && process.env.CI !== "false";

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  return result.status ?? 1;
}

if (!existsSync(chromium)) {
  const how = "install it with: apt-get install -y chromium";
  if (ci) {
    console.error(`e2e: FAILED: ${chromium} not found, and the browser tests are required in CI (${how}).`);
    process.exit(1);
  }
  console.error(`e2e: SKIPPED: ${chromium} not found, so the browser tests cannot run here (${how}).`);
  process.exit(0);
}
if (!existsSync(pyqueue)) {
  console.error(`e2e: FAILED: the backend is needed and ${pyqueue} does not exist (run \`make venv\`).`);
  process.exit(1);
}
if (!existsSync(path.join(root, "dist", "index.html"))) {
  console.error("e2e: dist/ is missing; building the dashboard first");
  const status = run([path.join(root, "node_modules", "vite", "bin", "vite.js"), "build"]);
  if (status !== 0) process.exit(status);
}
process.exit(run([path.join(root, "node_modules", "@playwright", "test", "cli.js"), "test", ...process.argv.slice(2)]));
