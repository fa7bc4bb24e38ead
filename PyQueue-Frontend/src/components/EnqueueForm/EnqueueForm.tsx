import { type FormEvent, useId, useState } from "react";
import {
  type EnqueueInput,
  MAX_DELAY_SECONDS,
  MAX_IDEMPOTENCY_KEY,
  MAX_TIMEOUT_SECONDS,
  PRIORITY_MAX,
  PRIORITY_MIN,
  type TaskTypeInfo,
} from "../../api/types";
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

type Parsed = { ok: true; value: number } | { ok: false; error: string };

/** Empty means the default 0; otherwise a whole number within the API's bounds. */
export function parsePriority(text: string): Parsed {
  if (text.trim() === "") return { ok: true, value: 0 };
  const n = Number(text);
  if (!Number.isInteger(n) || n < PRIORITY_MIN || n > PRIORITY_MAX) {
    return { ok: false, error: `Priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.` };
  }
  return { ok: true, value: n };
}

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600 } as const;
type DelayUnit = keyof typeof UNIT_SECONDS;

/** Empty means no delay; otherwise a number ≥ 0 in `unit` (at most 365 days), returned in seconds. */
export function parseDelay(text: string, unit: DelayUnit): Parsed {
  if (text.trim() === "") return { ok: true, value: 0 };
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) return { ok: false, error: "Delay must be a number ≥ 0." };
  const seconds = n * UNIT_SECONDS[unit];
  if (seconds > MAX_DELAY_SECONDS) return { ok: false, error: "Delay must be at most 365 days." };
  return { ok: true, value: seconds };
}

/** Empty means the type's default; otherwise seconds, more than 0 and at most 7 days. */
export function parseTimeout(text: string): { ok: true; value?: number } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true };
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_TIMEOUT_SECONDS) {
    return { ok: false, error: `Timeout must be a number of seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS}.` };
  }
  return { ok: true, value: n };
}

/** Empty means none; otherwise at most 200 characters, none of them control characters. */
export function parseKey(text: string): { ok: true; value?: string } | { ok: false; error: string } {
  if (text === "") return { ok: true };
  if ([...text].length > MAX_IDEMPOTENCY_KEY) {
    return { ok: false, error: `Idempotency key must be at most ${MAX_IDEMPOTENCY_KEY} characters.` };
  }
  // oxlint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) {
    return { ok: false, error: "Idempotency key must not contain control characters." };
  }
  return { ok: true, value: text };
}

/**
 * Enqueue one task: any JSON (or plain text) payload, a type from /api/types, optional max retries,
 * a priority (−100…100, higher runs first) and an optional delay before it may run.
 */
export function EnqueueForm({ types, typesError, pending, onSubmit }: EnqueueFormProps) {
  const ids = {
    payload: useId(),
    type: useId(),
    retries: useId(),
    hint: useId(),
    priority: useId(),
    priorityHint: useId(),
    delay: useId(),
    delayUnit: useId(),
    delayError: useId(),
    timeout: useId(),
    key: useId(),
    controlError: useId(),
  };
  const [payloadText, setPayloadText] = useState('{"to": "ada@example.com"}');
  const [type, setType] = useState("");
  const [retriesText, setRetriesText] = useState("");
  const [priorityText, setPriorityText] = useState("0");
  const [delayText, setDelayText] = useState("");
  const [delayUnit, setDelayUnit] = useState<DelayUnit>("seconds");
  const [touched, setTouched] = useState(false);
  const [timeoutText, setTimeoutText] = useState("");
  const [keyText, setKeyText] = useState("");

  const selectedType = type || types?.[0]?.name || "";
  const payload = parsePayload(payloadText);
  const retries = parseRetries(retriesText);
  const priority = parsePriority(priorityText);
  const delay = parseDelay(delayText, delayUnit);
  const timeout = parseTimeout(timeoutText);
  const key = parseKey(keyText);
  const controlsOk = timeout.ok && key.ok;
  const valid = payload.ok && retries.ok && priority.ok && delay.ok && controlsOk && selectedType !== "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!payload.ok || !retries.ok || !priority.ok || !delay.ok || !timeout.ok || !key.ok || !selectedType) return;
    onSubmit({
      payload: payload.value,
      t_type: selectedType,
      ...(retries.value === undefined ? {} : { max_retries: retries.value }),
      // Defaults (priority 0, no delay) are left to the server.
      ...(priority.value === 0 ? {} : { priority: priority.value }),
      ...(delay.value > 0 ? { delay_seconds: delay.value } : {}),
      ...(timeout.value === undefined ? {} : { timeout_seconds: timeout.value }),
      ...(key.value === undefined ? {} : { idempotency_key: key.value }),
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

      <div className="enqueue-form__row">
        <div className="enqueue-form__field">
          <label htmlFor={ids.priority}>Priority</label>
          <input
            id={ids.priority}
            type="number"
            inputMode="numeric"
            min={PRIORITY_MIN}
            max={PRIORITY_MAX}
            step={1}
            placeholder="0"
            value={priorityText}
            onChange={(e) => setPriorityText(e.target.value)}
            aria-invalid={priority.ok ? "false" : "true"}
            aria-describedby={ids.priorityHint}
          />
        </div>
        <div className="enqueue-form__field">
          <label htmlFor={ids.delay}>Delay (optional)</label>
          <div className="enqueue-form__delay">
            <input
              id={ids.delay}
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              placeholder="none"
              value={delayText}
              onChange={(e) => setDelayText(e.target.value)}
              aria-invalid={delay.ok ? "false" : "true"}
              aria-describedby={delay.ok ? undefined : ids.delayError}
            />
            <select
              id={ids.delayUnit}
              aria-label="Delay unit"
              value={delayUnit}
              onChange={(e) => setDelayUnit(e.target.value as DelayUnit)}
            >
              <option value="seconds">seconds</option>
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
            </select>
          </div>
        </div>
      </div>
      <p
        id={ids.priorityHint}
        className={priority.ok ? "enqueue-form__hint" : "enqueue-form__error"}
        role={priority.ok ? undefined : "alert"}
      >
        {priority.ok ? `${PRIORITY_MIN}…${PRIORITY_MAX}, higher runs first` : priority.error}
      </p>
      {!delay.ok && (
        <p id={ids.delayError} className="enqueue-form__error" role="alert">
          {delay.error}
        </p>
      )}

      <div className="enqueue-form__row">
        <div className="enqueue-form__field">
          <label htmlFor={ids.timeout}>Timeout, s (optional)</label>
          <input
            id={ids.timeout}
            type="number"
            inputMode="decimal"
            min={0}
            step="any"
            placeholder="type default"
            value={timeoutText}
            onChange={(e) => setTimeoutText(e.target.value)}
            aria-invalid={timeout.ok ? "false" : "true"}
            aria-describedby={timeout.ok ? undefined : ids.controlError}
          />
        </div>
        <div className="enqueue-form__field">
          <label htmlFor={ids.key}>Idempotency key (optional)</label>
          <input
            id={ids.key}
            type="text"
            placeholder="none"
            value={keyText}
            onChange={(e) => setKeyText(e.target.value)}
            aria-invalid={key.ok ? "false" : "true"}
            aria-describedby={key.ok ? undefined : ids.controlError}
          />
        </div>
      </div>
      {!controlsOk && (
        <p id={ids.controlError} className="enqueue-form__error" role="alert">
          {!timeout.ok ? timeout.error : !key.ok ? key.error : null}
        </p>
      )}

      <button type="submit" className="primary" disabled={pending || !valid}>
        {pending ? "Enqueuing…" : "Enqueue"}
      </button>
    </form>
  );
}
