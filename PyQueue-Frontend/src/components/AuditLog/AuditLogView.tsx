import type { AuditEntry } from "../../api/operations";
import { formatLocal, formatRelative } from "../../utils/time";
import "./AuditLog.css";

export interface AuditLogViewProps {
  entries: AuditEntry[] | undefined;
  total: number;
  page: number;
  pageSize: number;
  now: number;
  error: string | null;
  onPage: (page: number) => void;
}

/** The audit log: who changed what through the API, newest first. Every field is text (escaped). */
export function AuditLogView({ entries, total, page, pageSize, now, error, onPage }: AuditLogViewProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <section className="card audit-log" aria-label="Audit log">
      <div className="audit-log__head">
        <h2>Audit log</h2>
        <span className="muted">Changes made through the API, newest first</span>
      </div>
      {error && (
        <p role="alert" className="audit-log__error">
          Could not load the audit log: {error}
        </p>
      )}
      {entries && entries.length === 0 && <p className="muted">No change has been made through the API yet.</p>}
      {entries && entries.length > 0 && (
        <table className="audit-log__table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Count</th>
              <th scope="col">Role</th>
              <th scope="col">Client</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-audit-id={entry.id}>
                <td title={formatLocal(entry.at)}>{formatRelative(entry.at, now)}</td>
                <td>
                  <span className="audit-log__action">{entry.action}</span>
                </td>
                <td className="mono audit-log__target" title={entry.target}>
                  {entry.target}
                </td>
                <td>{entry.count}</td>
                <td>{entry.role}</td>
                <td className="mono">{entry.client}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {total > pageSize && (
        <nav className="audit-log__pages" aria-label="Audit log pages">
          <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
            Newer
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
            Older
          </button>
        </nav>
      )}
    </section>
  );
}
