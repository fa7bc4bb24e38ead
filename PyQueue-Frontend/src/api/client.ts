/** The typed REST client (openapi-fetch over the generated schema) with auth and error handling. */
import createClient, { type Middleware } from "openapi-fetch";
import { getToken, markTokenRequired } from "./auth";
import { ApiError, messageFromBody } from "./errors";
import type { paths } from "./schema.gen";

/** `VITE_API_BASE` without a trailing slash; empty (the default) means the page's own origin. */
export function normalizeBase(value: unknown): string {
  return typeof value === "string" ? value.trim().replace(/\/+$/, "") : "";
}

export const apiBase = normalizeBase(import.meta.env.VITE_API_BASE);

function absoluteBase(): string {
  if (apiBase) return apiBase;
  return typeof location === "undefined" ? "" : location.origin;
}

/** URL of an API path, e.g. apiUrl("/api/events"). */
export function apiUrl(path: string): string {
  return `${absoluteBase()}${path}`;
}

const authMiddleware: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) markTokenRequired();
    return response;
  },
};

export const client = createClient<paths>({
  baseUrl: absoluteBase(),
  // Looked up at call time so tests can replace globalThis.fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
client.use(authMiddleware);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the data of a successful response, or throws an ApiError with the server's message. */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<{ data: T; response: Response }> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(0, `Cannot reach the server (${reason})`);
  }
  const { data, error, response } = result;
  if (!response.ok) throw new ApiError(response.status, messageFromBody(error, response.status, response.statusText));
  return { data: data as T, response };
}
