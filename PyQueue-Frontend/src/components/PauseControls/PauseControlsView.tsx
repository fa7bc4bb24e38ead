import type { QueueState, TypeState } from "../../api/control";
import { plural } from "../../utils/plural";
import { formatLocal } from "../../utils/time";
import "./PauseControls.css";

export interface PauseControlsViewProps {
  queue: QueueState | undefined;
  types: TypeState[] | undefined;
  error: string | null;
  /** The name of the type being toggled, "" for the whole queue, null when idle. */
  busy: string | null;
  onQueue: (paused: boolean) => void;
  onType: (name: string, paused: boolean) => void;
}

/** Pause or resume the whole queue and each task type; paused tasks stay QUEUED. */
export function PauseControlsView({ queue, types, error, busy, onQueue, onType }: PauseControlsViewProps) {
  const paused = queue?.paused ?? false;
  return (
    <section className="card pause-controls" aria-label="Pause controls" data-queue-paused={paused}>
      <div className="pause-controls__bar">
        <h2>Queue control</h2>
        <span className={`pause-state pause-state--${paused ? "paused" : "running"}`} data-testid="queue-state">
          {queue ? (paused ? "Queue paused" : "Queue running") : "…"}
        </span>
        <button
          type="button"
          className={paused ? "primary" : undefined}
          disabled={!queue || busy !== null}
          onClick={() => onQueue(!paused)}
        >
          {paused ? "Resume queue" : "Pause queue"}
        </button>
      </div>
      {paused && (
        <p className="pause-controls__banner" role="status">
          Paused since {formatLocal(queue?.paused_at)}: no task starts in any process until it is resumed. Enqueued tasks
          wait QUEUED; running ones finish.
        </p>
      )}
      {error && (
        <p className="pause-controls__error">
          {error}
        </p>
      )}
      {types && types.length > 0 && (
        <ul className="pause-controls__types" aria-label="Task types">
          {types.map((type) => (
            <li key={type.name} data-type={type.name} data-paused={type.paused} aria-label={type.name}>
              <span className="mono pause-controls__name" title={type.description || undefined}>
                {type.name}
                {type.registered ? "" : " (not loaded here)"}
              </span>
              <span className="pause-controls__count">{plural(type.tasks, "task")}</span>
              <span className={`pause-state pause-state--${type.paused ? "paused" : "running"}`}>
                {type.paused ? "Paused" : "Running"}
              </span>
              <button
                type="button"
                aria-label={`${type.paused ? "Resume" : "Pause"} ${type.name}`}
                disabled={busy !== null}
                onClick={() => onType(type.name, !type.paused)}
              >
                {type.paused ? "Resume" : "Pause"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
