import { plural } from "./plural";

describe("plural", () => {
  it("uses the singular for exactly one and adds an s otherwise", () => {
    expect(plural(1, "task")).toBe("1 task");
    expect(plural(0, "task")).toBe("0 tasks");
    expect(plural(3, "failed task")).toBe("3 failed tasks");
  });

  it("takes an irregular plural", () => {
    expect(plural(1, "process", "processes")).toBe("1 process");
    expect(plural(2, "process", "processes")).toBe("2 processes");
  });
});
