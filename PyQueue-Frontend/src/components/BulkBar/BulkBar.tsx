import type { BulkAction } from "../../api/types";
import "./BulkBar.css";

interface BulkBarProps {
  selectedCount: number;
  busy: boolean;
  onBulk: (action: BulkAction) => void;
  onClearSelection: () => void;
  onRetryAllFailed: () => void;
  onClearMatching: () => void;
}

/** Actions on the selected rows, and on everything the current filter matches. */
export function BulkBar({ selectedCount, busy, onBulk, onClearSelection, onRetryAllFailed, onClearMatching }: BulkBarProps) {
  const none = selectedCount === 0;
  return (
    <div className="bulk-bar">
      <div className="bulk-bar__group" role="group" aria-label="Selected tasks">
        <span className="bulk-bar__count" aria-live="polite">
          {selectedCount} selected
        </span>
        <button type="button" disabled={none || busy} onClick={() => onBulk("retry")}>
          Retry selected
        </button>
        <button type="button" disabled={none || busy} onClick={() => onBulk("cancel")}>
          Cancel selected
        </button>
        <button type="button" className="danger" disabled={none || busy} onClick={() => onBulk("delete")}>
          Delete selected
        </button>
        {!none && (
          <button type="button" className="bulk-bar__link" onClick={onClearSelection}>
            Clear selection
          </button>
        )}
      </div>
      <div className="bulk-bar__group" role="group" aria-label="Tasks matching the filter">
        <button type="button" disabled={busy} onClick={onRetryAllFailed}>
          Retry all failed
        </button>
        <button type="button" className="danger" disabled={busy} onClick={onClearMatching}>
          Clear
        </button>
      </div>
    </div>
  );
}
