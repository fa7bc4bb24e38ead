import { type FormEvent, useId, useState } from "react";
import type { EnqueueInput, TaskTypeInfo } from "../../api/types";
import { describePayload, parsePayload } from "../../utils/payload";
import "./EnqueueForm.css";

interface EnqueueFormProps {
  types: TaskTypeInfo[] | undefined;
  typesError?: string | null;
  pending: boolean;
  onSubmit: (input: EnqueueInput) => void;
}

function parseRetries(text: string): { ok: true; value?: number } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true };
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) return { ok: false, error: "Max retries must be a whole number ≥ 0." };
  return { ok: true, value: n };
}

/** Enqueue one task: any JSON (or plain text) payload, a type from /api/types, optional max retries. */
export function EnqueueForm({ types, typesError, pending, onSubmit }: EnqueueFormProps) {
  const ids = { payload: useId(), type: useId(), retries: useId(), hint: useId() };
  const [payloadText, setPayloadText] = useState('{"to": "ada@example.com"}');
  const [type, setType] = useState("");
  const [retriesText, setRetriesText] = useState("");
  const [touched, setTouched] = useState(false);

  const selectedType = type || types?.[0]?.name || "";
  const payload = parsePayload(payloadText);
  const retries = parseRetries(retriesText);
  const valid = payload.ok && retries.ok && selectedType !== "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!payload.ok || !retries.ok || !selectedType) return;
    onSubmit({
      payload: payload.value,
      t_type: selectedType,
      ...(retries.value === undefined ? {} : { max_retries: retries.value }),
    });
  };

  const payloadError = !payload.ok && (touched || payloadText !== "") ? payload.error : null;

  return (
    <form className="card enqueue-form" onSubmit={submit} aria-label="Enqueue a task" noValidate>
      <h2>Enqueue a task</h2>
      <label htmlFor={ids.type}>Type</label>
      <select
        id={ids.type}
        value={selectedType}
        onChange={(e) => setType(e.target.value)}
        disabled={!types || types.length === 0}
      >
        {!types && <option value="">{typesError ? "Types unavailable" : "Loading types…"}</option>}
        {types?.map((t) => (
          <option key={t.name} value={t.name}>
            {t.name} — {t.description}
          </option>
        ))}
      </select>

      <label htmlFor={ids.payload}>Payload (JSON or text)</label>
      <textarea
        id={ids.payload}
        className="mono"
        rows={4}
        value={payloadText}
        onChange={(e) => setPayloadText(e.target.value)}
        aria-invalid={payloadError ? "true" : "false"}
        aria-describedby={ids.hint}
        spellCheck={false}
      />
      <p id={ids.hint} className={payloadError ? "enqueue-form__error" : "enqueue-form__hint"} role={payloadError ? "alert" : undefined}>
        {payloadError ?? describePayload(payload)}
      </p>

      <label htmlFor={ids.retries}>Max retries (optional)</label>
      <input
        id={ids.retries}
        type="number"
        inputMode="numeric"
        min={0}
        step={1}
        placeholder="server default"
        value={retriesText}
        onChange={(e) => setRetriesText(e.target.value)}
        aria-invalid={retries.ok ? "false" : "true"}
      />
      {!retries.ok && (
        <p className="enqueue-form__error" role="alert">
          {retries.error}
        </p>
      )}

      <button type="submit" className="primary" disabled={pending || !valid}>
        {pending ? "Enqueuing…" : "Enqueue"}
      </button>
    </form>
  );
}
