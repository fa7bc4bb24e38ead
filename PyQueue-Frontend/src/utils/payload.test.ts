import { describePayload, formatJson, parsePayload } from "./payload";

describe("parsePayload", () => {
  it("sends text that parses as JSON as JSON", () => {
    expect(parsePayload('{"to": "ada"}')).toEqual({ ok: true, value: { to: "ada" }, kind: "json" });
    expect(parsePayload("[1, 2]")).toEqual({ ok: true, value: [1, 2], kind: "json" });
    expect(parsePayload("42")).toEqual({ ok: true, value: 42, kind: "json" });
    expect(parsePayload('"quoted"')).toEqual({ ok: true, value: "quoted", kind: "json" });
    expect(parsePayload("null")).toEqual({ ok: true, value: null, kind: "json" });
  });

  it("sends other text as a plain string, untrimmed", () => {
    expect(parsePayload("hello world ")).toEqual({ ok: true, value: "hello world ", kind: "text" });
    expect(parsePayload("<img src=x onerror=alert(1)>")).toMatchObject({ ok: true, kind: "text" });
  });

  it("rejects empty input and broken JSON objects or arrays", () => {
    expect(parsePayload("  ")).toMatchObject({ ok: false });
    expect(parsePayload('{"to": ')).toMatchObject({ ok: false, error: expect.stringMatching(/^Invalid JSON/) });
    expect(parsePayload("[1,")).toMatchObject({ ok: false });
  });

  it("describes what will be sent", () => {
    expect(describePayload(parsePayload("{}"))).toBe("Sent as a JSON object");
    expect(describePayload(parsePayload("[]"))).toBe("Sent as a JSON array");
    expect(describePayload(parsePayload("hi"))).toBe("Sent as a text string");
  });

  it("formats values as indented JSON text", () => {
    expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatJson(null)).toBe("null");
    expect(formatJson(undefined)).toBe("—");
  });
});
