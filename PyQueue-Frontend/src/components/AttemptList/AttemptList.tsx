import { errorMessage } from "../../api/errors";
import type { Attempt, AttemptOutcome } from "../../api/control";
import { useAttempts } from "../../hooks/useControl";
import { formatDuration, formatLocal } from "../../utils/time";
import "./AttemptList.css";

const OUTCOMES: Record<AttemptOutcome, { label: string; tone: string }> = {
  RUNNING: { label: "Running", tone: "inprogress" },
  COMPLETED: { label: "Completed", tone: "completed" },
  FAILED: { label: "Failed", tone: "failed" },
  RETRY: { label: "Failed, retry scheduled", tone: "failed" },
  LEASE_EXPIRED: { label: "Lease expired (worker stopped or hung)", tone: "failed" },
  CANCELLED: { label: "Cancelled", tone: "cancelled" },
  INTERRUPTED: { label: "Interrupted by a shutdown (not counted)", tone: "queued" },
};

export function outcomeLabel(outcome: AttemptOutcome): string {
  return OUTCOMES[outcome]?.label ?? outcome;
}

function span(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : formatDuration(ms);
}

/** How long an attempt ran ("took 120 ms"), or "running for 4s" until `now`. */
export function attemptDuration(attempt: Attempt, now: number): string {
  const start = Date.parse(attempt.started_at);
  if (attempt.finished_at) return `took ${span(Date.parse(attempt.finished_at) - start)}`;
  return `running for ${span(now - start)}`;
}

/** Every attempt of a task, oldest first, as text (task data is never HTML). */
export function AttemptListView({ attempts, now }: { attempts: Attempt[]; now: number }) {
  if (attempts.length === 0) return <p className="muted">No attempt has started yet.</p>;
  return (
    <ol className="attempt-list">
      {attempts.map((attempt, index) => {
        const outcome = OUTCOMES[attempt.outcome] ?? { label: attempt.outcome, tone: "cancelled" };
        return (
          <li
            key={`${index}-${attempt.started_at}`}
            className={`attempt attempt--${outcome.tone}`}
            data-outcome={attempt.outcome}
            aria-label={`Attempt ${attempt.number}: ${outcome.label}`}
          >
            <div className="attempt__head">
              <strong>Attempt {attempt.number}</strong>
              <span className="attempt__outcome">{outcome.label}</span>
            </div>
            <div className="attempt__meta">
              <time dateTime={attempt.started_at}>{formatLocal(attempt.started_at)}</time>
              <span>{attemptDuration(attempt, now)}</span>
              <span className="mono" title="The process that ran it">
                {attempt.worker || "—"}
              </span>
            </div>
            {attempt.error && <pre className="attempt__error">{attempt.error}</pre>}
            {attempt.traceback && (
              <details className="attempt__traceback">
                <summary>Traceback</summary>
                <pre>{attempt.traceback}</pre>
              </details>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** The task detail's attempt history, live with the task (see useAttempts). */
export function AttemptList({ taskId, version, now }: { taskId: string; version: string; now: number }) {
  const query = useAttempts(taskId, version);
  return (
    <section aria-label="Attempts" className="attempt-history">
      <h4>Attempts{query.data ? ` (${query.data.length})` : ""}</h4>
      {query.isPending && <p className="muted">Loading attempts…</p>}
      {query.isError && <p className="muted">Attempts unavailable: {errorMessage(query.error)}</p>}
      {query.data && <AttemptListView attempts={query.data} now={now} />}
    </section>
  );
}
