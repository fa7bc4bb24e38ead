import { errorMessage } from "../../api/errors";
import type { FailureGroup } from "../../api/failures";
import { useFailureGroups, useRetryFailureGroup } from "../../hooks/useFailures";
import { useReadOnly } from "../../hooks/useRole";
import { plural } from "../../utils/plural";
import { formatRelative } from "../../utils/time";
import "./FailureGroups.css";

interface FailureGroupsViewProps {
  groups: FailureGroup[];
  now: number;
  busy: boolean;
  onRetry: (group: FailureGroup) => void;
  onShowType: (type: string) => void;
}

/** The text a group is known by: its error's first line (a task may have failed without one). */
export function groupLabel(group: FailureGroup): string {
  return group.error ?? "(no error message)";
}

/** FAILED tasks grouped by type and error, the largest group first, each with "Retry this group". */
export function FailureGroupsView({ groups, now, busy, onRetry, onShowType }: FailureGroupsViewProps) {
  if (groups.length === 0) return <p className="failure-groups__empty">No failed tasks.</p>;
  return (
    <ul className="failure-groups__list">
      {groups.map((group) => (
        <li
          key={`${group.t_type}\u0000${group.error ?? ""}`}
          className="failure-group"
          aria-label={`${group.t_type}: ${groupLabel(group)}`}
        >
          <span className="failure-group__count" title={plural(group.count, "failed task")}>
            {group.count}
          </span>
          <div className="failure-group__body">
            <code className="failure-group__error">{groupLabel(group)}</code>
            <span className="failure-group__meta">
              <button type="button" className="link" onClick={() => onShowType(group.t_type)}>
                {group.t_type}
              </button>{" "}
              · last failed {formatRelative(group.latest_at, now)}
            </span>
          </div>
          <button
            type="button"
            disabled={busy}
            onClick={() => onRetry(group)}
            aria-label={`Retry this group: ${plural(group.count, `failed ${group.t_type} task`)}`}
          >
            Retry this group
          </button>
        </li>
      ))}
    </ul>
  );
}

interface FailureGroupsProps {
  /** The type filter of the view: only its groups are shown. */
  type: string | null;
  now: number;
  onShowType: (type: string) => void;
}

/** The dead letters of the FAILED view: loads the groups and retries one on request. */
export function FailureGroups({ type, now, onShowType }: FailureGroupsProps) {
  const groups = useFailureGroups();
  const retry = useRetryFailureGroup();
  const readOnly = useReadOnly(); // a read-only token may not retry
  const shown = groups.data?.filter((group) => type === null || group.t_type === type);
  return (
    <section className="failure-groups" aria-label="Failures by error">
      <h3>Failures by error</h3>
      {groups.isError && !groups.data ? (
        <p role="alert" className="failure-groups__error">
          Could not load the failure groups: {errorMessage(groups.error)}
        </p>
      ) : shown ? (
        <FailureGroupsView
          groups={shown}
          now={now}
          busy={retry.isPending || readOnly}
          onRetry={(group) => retry.mutate(group)}
          onShowType={onShowType}
        />
      ) : (
        <p className="muted">Loading failures…</p>
      )}
    </section>
  );
}
