import { type FormEvent, useState } from "react";
import type { TaskTypeInfo } from "../../api/types";
import "./TaskFilters.css";

interface TaskFiltersProps {
  type: string | null;
  types: TaskTypeInfo[];
  onTypeChange: (type: string | null) => void;
  onLookup: (id: string) => void;
}

/** The type filter and the lookup of one task by id. */
export function TaskFilters({ type, types, onTypeChange, onLookup }: TaskFiltersProps) {
  const [id, setId] = useState("");
  const names = types.map((t) => t.name);
  if (type && !names.includes(type)) names.push(type);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = id.trim();
    if (trimmed) onLookup(trimmed);
  };

  return (
    <div className="task-filters">
      <label className="task-filters__field">
        <span>Type</span>
        <select value={type ?? ""} onChange={(e) => onTypeChange(e.target.value || null)} aria-label="Filter by type">
          <option value="">All types</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <form className="task-filters__lookup" onSubmit={submit} role="search">
        <label className="task-filters__field">
          <span>Find by ID</span>
          <input
            type="search"
            placeholder="Task-…"
            value={id}
            onChange={(e) => setId(e.target.value)}
            aria-label="Task ID"
          />
        </label>
        <button type="submit" disabled={!id.trim()}>
          Open
        </button>
      </form>
    </div>
  );
}
