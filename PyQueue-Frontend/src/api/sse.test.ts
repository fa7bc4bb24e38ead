import { mockFetch, json } from "../test/fixtures";
import { ApiError } from "./errors";
import { openEventStream, type SseMessage, SseParser } from "./sse";

function parse(...chunks: string[]) {
  const messages: SseMessage[] = [];
  const parser = new SseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.feed(chunk);
  return { messages, parser };
}

describe("SseParser", () => {
  it("dispatches an event at each blank line, with its type, data and id", () => {
    const { messages, parser } = parse('id: 7\nevent: task\ndata: {"kind":"cleared"}\n\n');
    expect(messages).toEqual([{ event: "task", data: '{"kind":"cleared"}', id: "7" }]);
    expect(parser.lastEventId).toBe("7");
  });

  it("reassembles lines and events split anywhere across chunks", () => {
    const text = "id: 12\nevent: task\ndata: hello\n\nid: 13\nevent: task\ndata: world\n\n";
    for (let cut = 1; cut < text.length; cut++) {
      const { messages } = parse(text.slice(0, cut), text.slice(cut));
      expect(messages.map((m) => [m.id, m.data]), `cut at ${cut}`).toEqual([
        ["12", "hello"],
        ["13", "world"],
      ]);
    }
  });

  it("accepts CRLF, CR and LF line ends, even a CRLF split between chunks", () => {
    expect(parse("data: a\r\n\r\ndata: b\r\rdata: c\n\n").messages.map((m) => m.data)).toEqual(["a", "b", "c"]);
    expect(parse("data: a\r", "\n", "\r", "\n").messages.map((m) => m.data)).toEqual(["a"]);
  });

  it("joins multi-line data, defaults the type to message and ignores comments and unknown fields", () => {
    const { messages } = parse(": connected\nretry: 2000\ndata: one\ndata:two\nfoo: bar\ndata\n\n: keep-alive\n\n");
    expect(messages).toEqual([{ event: "message", data: "one\ntwo\n", id: "" }]);
  });

  it("keeps the last id and retry hint; an event without data is not dispatched", () => {
    const { messages, parser } = parse("retry: 2000\n\nid: 5\nevent: task\n\nretry: soon\n\n");
    expect(messages).toEqual([]);
    expect(parser.lastEventId).toBe("5");
    expect(parser.retry).toBe(2000);
    parser.feed("id: bad\0id\ndata: x\n\n");
    expect(parser.lastEventId).toBe("5"); // an id with NUL is ignored
    parser.feed("id\ndata: y\n\n");
    expect(parser.lastEventId).toBe(""); // an empty id resets it
  });

  it("strips a leading byte order mark and drops an unfinished event at the end", () => {
    const { messages, parser } = parse("\uFEFFdata: first\n\ndata: unfinished");
    parser.end();
    parser.feed("\n\n");
    expect(messages.map((m) => m.data)).toEqual(["first"]);
  });
});

function streamResponse(chunks: string[], init: ResponseInit = {}) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream" }, ...init });
}

describe("openEventStream", () => {
  it("sends the token and Last-Event-ID as headers and reads the stream to its end", async () => {
    const { calls } = mockFetch(() => streamResponse(["id: 3\nevent: task\nda", "ta: é\n\n", ": bye\n\n"]));
    const messages: SseMessage[] = [];
    const parser = new SseParser((message) => messages.push(message));
    parser.lastEventId = "2";
    const onOpen = vi.fn();
    await openEventStream({
      url: "http://localhost/api/events",
      token: "t0k",
      parser,
      signal: new AbortController().signal,
      onOpen,
    });
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(messages).toEqual([{ event: "task", data: "é", id: "3" }]);
    const headers = calls[0]!.headers;
    expect(headers.get("Authorization")).toBe("Bearer t0k");
    expect(headers.get("Last-Event-ID")).toBe("2");
    expect(calls[0]!.url).toBe("http://localhost/api/events");
  });

  it("rejects an HTTP error or an answer that is not an event stream", async () => {
    const parser = new SseParser(() => undefined);
    const signal = new AbortController().signal;
    mockFetch(() => json({ detail: "token" }, { status: 401 }));
    const refused = openEventStream({ url: "http://localhost/api/events", parser, signal });
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 401 });
    mockFetch(() => new Response("<html>", { headers: { "Content-Type": "text/html" } }));
    await expect(openEventStream({ url: "http://localhost/api/events", parser, signal })).rejects.toMatchObject({
      status: 200,
    });
  });

  it("stops reading when aborted", async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    mockFetch(() => new Response(body, { headers: { "Content-Type": "text/event-stream" } }));
    const closing = new AbortController();
    const messages: SseMessage[] = [];
    const reading = openEventStream({
      url: "http://localhost/api/events",
      parser: new SseParser((message) => messages.push(message)),
      signal: closing.signal,
      onOpen: () => controller.enqueue(new TextEncoder().encode("data: one\n\n")),
    });
    await vi.waitFor(() => expect(messages).toHaveLength(1));
    closing.abort();
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
  });
});
