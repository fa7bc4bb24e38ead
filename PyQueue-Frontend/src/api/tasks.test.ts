import { json, makeTask, mockFetch } from "../test/fixtures";
import { enqueueBatch, enqueueTask } from "./tasks";

function enqueueApi() {
  return mockFetch((url, request) => {
    if (request.method !== "POST") return undefined;
    if (url.pathname === "/api/enqueue") return json(makeTask(), { status: 201 });
    if (url.pathname === "/api/enqueue/batch") return json([makeTask(), makeTask()], { status: 201 });
    return undefined;
  });
}

describe("enqueue", () => {
  it("sends priority and delay_seconds as given", async () => {
    const { calls } = enqueueApi();
    await enqueueTask({ payload: "x", t_type: "SMS", priority: 75, delay_seconds: 300 });
    expect(await calls[0]!.json()).toEqual({ payload: "x", t_type: "SMS", priority: 75, delay_seconds: 300 });
  });

  it("spells out the default priority 0 when it is left out, for single and batch", async () => {
    const { calls } = enqueueApi();
    await enqueueTask({ payload: "x", t_type: "SMS" });
    await enqueueBatch([{ payload: 1, t_type: "SMS" }, { payload: 2, t_type: "SMS", priority: -5 }]);
    expect(await calls[0]!.json()).toEqual({ payload: "x", t_type: "SMS", priority: 0 });
    expect(await calls[1]!.json()).toEqual({
      tasks: [
        { payload: 1, t_type: "SMS", priority: 0 },
        { payload: 2, t_type: "SMS", priority: -5 },
      ],
    });
  });
});
