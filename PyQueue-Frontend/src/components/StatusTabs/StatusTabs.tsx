import { STATUSES, type TaskStatus } from "../../api/types";
import type { StatusCounts } from "../../hooks/queries";
import "./StatusTabs.css";

interface StatusTabsProps {
  value: TaskStatus | null;
  counts: StatusCounts | undefined;
  onChange: (status: TaskStatus | null) => void;
}

/** Status filter with a count per status; "All" clears it. */
export function StatusTabs({ value, counts, onChange }: StatusTabsProps) {
  const tabs: { key: TaskStatus | null; label: string }[] = [
    { key: null, label: "All" },
    ...STATUSES.map((s) => ({ key: s, label: s })),
  ];
  return (
    <div className="status-tabs" role="group" aria-label="Filter by status">
      {tabs.map(({ key, label }) => {
        const count = counts ? (key === null ? counts.all : counts[key]) : undefined;
        return (
          <button
            key={label}
            type="button"
            className={`status-tabs__tab status-tabs__tab--${(key ?? "all").toLowerCase()}`}
            aria-pressed={value === key}
            data-status-tab={key ?? "ALL"}
            onClick={() => onChange(key)}
          >
            {label}
            <span className="status-tabs__count" aria-label={`${count ?? "unknown"} tasks`}>
              {count ?? "…"}
            </span>
          </button>
        );
      })}
    </div>
  );
}
