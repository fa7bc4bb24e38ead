import { dismissToast, useToasts } from "../../hooks/toast";
import "./Toaster.css";

/** Renders the toasts; errors are announced assertively, the rest politely. */
export function Toaster() {
  const toasts = useToasts();
  const polite = toasts.filter((t) => t.kind !== "error");
  const errors = toasts.filter((t) => t.kind === "error");
  return (
    <div className="toaster">
      <div role="alert" aria-live="assertive" className="toaster__region">
        {errors.map((t) => (
          <ToastItem key={t.id} id={t.id} kind={t.kind} message={t.message} />
        ))}
      </div>
      <div role="status" aria-live="polite" className="toaster__region">
        {polite.map((t) => (
          <ToastItem key={t.id} id={t.id} kind={t.kind} message={t.message} />
        ))}
      </div>
    </div>
  );
}

function ToastItem({ id, kind, message }: { id: number; kind: string; message: string }) {
  return (
    <div className={`toast toast--${kind}`} data-testid="toast">
      <span className="toast__message">{message}</span>
      <button type="button" className="toast__close" aria-label="Dismiss notification" onClick={() => dismissToast(id)}>
        ×
      </button>
    </div>
  );
}
