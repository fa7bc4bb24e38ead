import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { clearToasts } from "../hooks/toast";

afterEach(() => {
  cleanup();
  clearToasts();
  sessionStorage.clear();
});
