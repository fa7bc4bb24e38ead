import { type LiveMode, useLiveMode } from "../../hooks/useLiveEvents";
import "./LiveIndicator.css";

const LABEL: Record<LiveMode, string> = {
  live: "Live",
  connecting: "Connecting…",
  polling: "Polling (live stream unavailable)",
  paused: "Paused (tab hidden)",
};

export function LiveIndicator() {
  const mode = useLiveMode();
  return (
    <span className={`live-indicator live-indicator--${mode}`} role="status" data-mode={mode}>
      <span className="live-indicator__dot" aria-hidden="true" />
      {LABEL[mode]}
    </span>
  );
}
