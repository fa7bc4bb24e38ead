import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { AuditEntry } from "../../api/operations";
import { AuditLogView, type AuditLogViewProps } from "./AuditLogView";

const now = Date.parse("2026-02-03T15:35:00Z");
const entry: AuditEntry = {
  id: 7,
  at: "2026-02-03T15:34:00Z",
  role: "admin",
  client: "10.0.0.7",
  action: "clear",
  target: "status=FAILED",
  count: 12,
};

function view(props: Partial<AuditLogViewProps> = {}) {
  const onPage = vi.fn();
  render(
    <AuditLogView entries={[entry]} total={1} page={1} pageSize={20} now={now} error={null} onPage={onPage} {...props} />,
  );
  return onPage;
}

describe("AuditLogView", () => {
  it("shows each entry's age, action, target, count, role and client", () => {
    view();
    const row = screen.getAllByRole("row")[1]!;
    for (const text of ["1m ago", "clear", "status=FAILED", "12", "admin", "10.0.0.7"]) {
      expect(row).toHaveTextContent(text);
    }
    expect(screen.queryByRole("navigation", { name: "Audit log pages" })).toBeNull();
  });

  it("pages to older entries", async () => {
    const onPage = view({ total: 45, page: 2 });
    expect(screen.getByText("Page 2 of 3")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Older" }));
    expect(onPage).toHaveBeenCalledWith(3);
    await userEvent.click(screen.getByRole("button", { name: "Newer" }));
    expect(onPage).toHaveBeenCalledWith(1);
  });

  it("says when nothing was changed yet, and when the log cannot be read", () => {
    view({ entries: [], total: 0, error: "The database is unavailable" });
    expect(screen.getByText("No change has been made through the API yet.")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("The database is unavailable");
  });
});
