import { messageFromBody } from "./errors";

describe("messageFromBody", () => {
  it("shows a string detail as is", () => {
    expect(messageFromBody({ detail: "Job Task-1 not found" }, 404)).toBe("Job Task-1 not found");
  });

  it("joins the msg fields of a validation error list", () => {
    const body = { detail: [{ msg: "Field required", loc: ["body", "t_type"] }, { msg: "Too big" }] };
    expect(messageFromBody(body, 422)).toBe("Field required; Too big");
  });

  it("falls back to message, text, or the HTTP status", () => {
    expect(messageFromBody({ message: "nope" }, 400)).toBe("nope");
    expect(messageFromBody("Bad gateway", 502)).toBe("Bad gateway");
    expect(messageFromBody(undefined, 500, "Internal Server Error")).toBe(
      "Request failed: HTTP 500 Internal Server Error",
    );
  });
});
