import { formatAge, formatDuration, formatLocal, formatRelative } from "./time";

describe("time formatting", () => {
  it("formats compact durations", () => {
    expect(formatDuration(4_000)).toBe("4s");
    expect(formatDuration(125_000)).toBe("2m");
    expect(formatDuration(3 * 3600_000)).toBe("3h");
    expect(formatDuration(5 * 86400_000)).toBe("5d");
  });

  it("computes ages and relative times from ISO timestamps", () => {
    const now = Date.parse("2026-02-03T15:35:00Z");
    expect(formatAge("2026-02-03T15:34:30Z", now)).toBe("30s");
    expect(formatRelative("2026-02-03T15:35:10Z", now)).toBe("in 10s");
    expect(formatRelative("2026-02-03T15:34:50Z", now)).toBe("10s ago");
    expect(formatAge(null, now)).toBe("—");
  });

  it("shows timestamps in the viewer's local time zone", () => {
    const iso = "2026-02-03T15:34:21Z";
    const expected = new Intl.DateTimeFormat(undefined, {
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "short",
    }).format(new Date(iso));
    expect(formatLocal(iso)).toBe(expected);
    expect(formatLocal(null)).toBe("—");
  });
});
