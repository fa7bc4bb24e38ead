/** Errors of the REST API, with the server's human message. */

export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

interface ValidationItem {
  msg?: unknown;
  loc?: unknown;
}

function validationMessage(items: ValidationItem[]): string {
  return items
    .map((item) => (typeof item.msg === "string" ? item.msg : JSON.stringify(item)))
    .join("; ");
}

/** The readable message of an error body: `{"detail": str | [{msg}]}` or `{"message": str}`. */
export function messageFromBody(body: unknown, status: number, statusText = ""): string {
  if (body && typeof body === "object") {
    const { detail, message } = body as { detail?: unknown; message?: unknown };
    if (typeof detail === "string" && detail) return detail;
    if (Array.isArray(detail) && detail.length > 0) return validationMessage(detail as ValidationItem[]);
    if (typeof message === "string" && message) return message;
  }
  if (typeof body === "string" && body.trim()) return body.trim().slice(0, 300);
  if (status === 0) return "Cannot reach the server";
  return `Request failed: HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}
