/**
 * Server-sent events over `fetch`, so the stream can send `Authorization: Bearer …` (a browser's
 * EventSource cannot send headers, and a token in the URL ends up in access logs). `SseParser`
 * follows the HTML standard's event-stream parsing rules; `openEventStream` reads one response to
 * its end. Reconnecting (with `Last-Event-ID` and a backoff) is the caller's job.
 */

import { ApiError } from "./errors";

/** One dispatched event. `id` is the stream's last event id at that point ("" when none yet). */
export interface SseMessage {
  event: string;
  data: string;
  id: string;
}

/** Incremental parser: feed it decoded text in chunks of any size. */
export class SseParser {
  /** The last `id:` seen (what a reconnect sends as Last-Event-ID). */
  lastEventId = "";
  /** The last valid `retry:` the server sent, in ms. */
  retry: number | null = null;
  private readonly onMessage: (message: SseMessage) => void;
  private pending = "";
  private data: string[] = [];
  private eventType = "";
  private started = false;

  constructor(onMessage: (message: SseMessage) => void) {
    this.onMessage = onMessage;
  }

  feed(chunk: string): void {
    let text = this.pending + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (char !== "\n" && char !== "\r") continue;
      if (char === "\r" && i === text.length - 1) break; // a CR at the end: maybe CRLF, wait
      this.line(text.slice(start, i));
      if (char === "\r" && text[i + 1] === "\n") i++;
      start = i + 1;
    }
    this.pending = text.slice(start);
  }

  /** The stream ended: a trailing CR ends its line; an event not closed by a blank line is dropped. */
  end(): void {
    if (this.pending.endsWith("\r")) this.line(this.pending.slice(0, -1));
    this.pending = "";
    this.data = [];
    this.eventType = "";
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return; // a comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.eventType = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.eventType || "message";
    this.data = [];
    this.eventType = "";
    if (data.length === 0) return;
    this.onMessage({ event, data: data.join("\n"), id: this.lastEventId });
  }
}

export interface EventStreamOptions {
  url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string | null;
  /** Parses the stream; keep one across reconnects: its `lastEventId` is sent as `Last-Event-ID`. */
  parser: SseParser;
  signal: AbortSignal;
  /** The server accepted the stream. */
  onOpen?: () => void;
}

/**
 * Opens the stream and reads it until the server ends it (resolves) or it fails (rejects: a
 * network error, an `ApiError` with the status, or an `AbortError` through `signal`).
 */
export async function openEventStream({ url, token, parser, signal, onOpen }: EventStreamOptions): Promise<void> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (parser.lastEventId) headers["Last-Event-ID"] = parser.lastEventId;
  const response = await fetch(url, { headers, cache: "no-store", signal });
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok || !type.toLowerCase().startsWith("text/event-stream") || !response.body) {
    void response.body?.cancel().catch(() => undefined);
    throw new ApiError(response.status, `the event stream answered ${response.status} ${type}`.trim());
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const abort = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener("abort", abort);
  onOpen?.();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw new DOMException("The event stream was closed", "AbortError");
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
  } finally {
    signal.removeEventListener("abort", abort);
    parser.end(); // an event the stream did not finish is dropped
  }
}
