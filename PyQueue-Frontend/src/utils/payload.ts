/**
 * The payload textarea accepts any JSON value. Text that parses as JSON is sent as JSON; other
 * text is sent as a plain string, except text that starts like a JSON object or array: that is
 * almost always a typo, so it is reported instead of being sent as a string by surprise.
 */

export type PayloadParse =
  | { ok: true; value: unknown; kind: "json" | "text" }
  | { ok: false; error: string };

export function parsePayload(text: string): PayloadParse {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "Enter a payload (JSON or plain text)." };
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown, kind: "json" };
  } catch (error) {
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: `Invalid JSON: ${reason}` };
    }
    return { ok: true, value: text, kind: "text" };
  }
}

/** A human description of what will be sent, e.g. "JSON object" or "text". */
export function describePayload(parse: PayloadParse): string {
  if (!parse.ok) return "";
  if (parse.kind === "text") return "Sent as a text string";
  const value = parse.value;
  if (value === null) return "Sent as JSON null";
  if (Array.isArray(value)) return "Sent as a JSON array";
  return `Sent as a JSON ${typeof value}`;
}

/** Pretty JSON for display (always text, never markup). */
export function formatJson(value: unknown): string {
  if (value === undefined) return "—";
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
