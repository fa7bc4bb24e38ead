import { useId, useState } from "react";
import { errorMessage } from "../../api/errors";
import type { Task } from "../../api/types";
import { useEditAndRetry } from "../../hooks/useFailures";
import { READ_ONLY_HINT, useReadOnly } from "../../hooks/useRole";
import { formatJson } from "../../utils/payload";
import "./PayloadEditor.css";

/** Only a task that no worker holds (FAILED or CANCELLED) may have its payload edited. */
export function canEditPayload(task: Pick<Task, "status">): boolean {
  return task.status === "FAILED" || task.status === "CANCELLED";
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Strict JSON (a text payload is written as a JSON string, in quotes, as it is shown). */
export function parseJson(text: string): JsonParse {
  if (text.trim() === "") return { ok: false, error: "Enter the payload as JSON." };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

interface PayloadEditorViewProps {
  payload: unknown;
  busy: boolean;
  error: string | null;
  onSubmit: (payload: unknown) => void;
  onCancel: () => void;
}

/** A JSON textarea, validated as you type; "Save and retry" sends it. */
export function PayloadEditorView({ payload, busy, error, onSubmit, onCancel }: PayloadEditorViewProps) {
  const [text, setText] = useState(() => formatJson(payload));
  const parsed = parseJson(text);
  const id = useId();
  return (
    <form
      className="payload-editor"
      aria-label="Edit payload"
      onSubmit={(event) => {
        event.preventDefault();
        if (parsed.ok) onSubmit(parsed.value);
      }}
    >
      <label htmlFor={id}>Payload (JSON)</label>
      <textarea
        id={id}
        value={text}
        rows={8}
        spellCheck={false}
        aria-invalid={!parsed.ok}
        aria-describedby={`${id}-status`}
        onChange={(event) => setText(event.target.value)}
      />
      <p id={`${id}-status`} className={parsed.ok ? "payload-editor__ok" : "payload-editor__invalid"} role="status">
        {parsed.ok ? "Valid JSON" : parsed.error}
      </p>
      {error && (
        <p role="alert" className="payload-editor__invalid">
          {error}
        </p>
      )}
      <div className="payload-editor__actions">
        <button type="submit" className="primary" disabled={busy || !parsed.ok}>
          Save and retry
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** In a FAILED or CANCELLED task's detail: edit its payload, then retry it with the new one. */
export function PayloadEditor({ task }: { task: Task }) {
  const [open, setOpen] = useState(false);
  const readOnly = useReadOnly();
  const save = useEditAndRetry();
  if (!canEditPayload(task)) return null;
  if (!open) {
    return (
      <div className="payload-editor__open">
        <button
          type="button"
          disabled={readOnly}
          title={readOnly ? READ_ONLY_HINT : undefined}
          onClick={() => {
            save.reset();
            setOpen(true);
          }}
        >
          Edit payload and retry
        </button>
      </div>
    );
  }
  return (
    <PayloadEditorView
      key={task.id}
      payload={task.payload}
      busy={save.isPending}
      error={save.isError ? errorMessage(save.error) : null}
      onSubmit={(payload) => save.mutate({ id: task.id, payload }, { onSuccess: () => setOpen(false) })}
      onCancel={() => setOpen(false)}
    />
  );
}
