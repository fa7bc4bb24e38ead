import { type FormEvent, memo, useId, useState } from "react";
import type { Schedule, ScheduleInput } from "../../api/schedules";
import type { TaskTypeInfo } from "../../api/types";
import { formatLocal, formatRelative } from "../../utils/time";
import "./Schedules.css";

/** Empty means `{}`; otherwise the text must be a JSON object (its keys go to every tick's task). */
export function parseSchedulePayload(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, error: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: "The payload must be a JSON object, such as {\"to\": \"ops\"}." };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  return typeof intl.supportedValuesOf === "function" ? intl.supportedValuesOf("timeZone") : [];
}

/** The IANA zones the browser knows, as suggestions: several hundred options, so rendered only
 * once the field is focused, and then not again on every keystroke (memo). */
const ZoneList = memo(function ZoneList({ id }: { id: string }) {
  const [zones] = useState(timeZones);
  return (
    <datalist id={id}>
      {zones.map((zone) => (
        <option key={zone} value={zone}>
          {zone}
        </option>
      ))}
    </datalist>
  );
});

export interface SchedulesViewProps {
  schedules: Schedule[] | undefined;
  error?: string | null;
  types: Pick<TaskTypeInfo, "name">[] | undefined;
  now: number;
  creating: boolean;
  busyId?: string | null;
  onCreate: (input: ScheduleInput) => void;
  onPause: (schedule: Schedule, paused: boolean) => void;
  onDelete: (schedule: Schedule) => void;
}

/** Periodic tasks: the list with next and last run, pause/resume and delete, and a create form. */
export function SchedulesView({
  schedules,
  error,
  types,
  now,
  creating,
  busyId,
  onCreate,
  onPause,
  onDelete,
}: SchedulesViewProps) {
  const headingId = useId();
  return (
    <section className="card schedules" aria-labelledby={headingId}>
      <h2 id={headingId}>Schedules</h2>
      <p className="schedules__hint">
        Periodic tasks: each tick of the cron expression enqueues the type once, with
        <code> scheduled_for </code>
        in its payload.
      </p>
      {error && <p className="schedules__error">Could not load the schedules: {error}</p>}
      {!schedules && !error && <p className="schedules__hint">Loading schedules…</p>}
      {schedules && schedules.length === 0 && <p className="schedules__empty">No schedules yet.</p>}
      {schedules && schedules.length > 0 && (
        <table className="schedules__table">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Cron</th>
              <th scope="col">Payload</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => (
              <tr key={schedule.id} data-schedule-id={schedule.id} data-paused={schedule.paused ? "true" : "false"}>
                <td data-col="type">
                  {schedule.t_type}
                  {schedule.source === "code" && (
                    <span className="schedules__tag" title="Declared in code with @task(schedule=...)">
                      code
                    </span>
                  )}
                </td>
                <td data-col="cron">
                  <code>{schedule.cron}</code> <span className="schedules__zone">{schedule.timezone}</span>
                </td>
                <td data-col="payload" className="mono schedules__payload" title={JSON.stringify(schedule.payload)}>
                  {JSON.stringify(schedule.payload)}
                </td>
                <td data-col="next_run_at" title={formatLocal(schedule.next_run_at)}>
                  {schedule.paused ? (
                    <span className="schedules__paused">Paused</span>
                  ) : (
                    formatRelative(schedule.next_run_at, now)
                  )}
                </td>
                <td data-col="last_run_at" title={formatLocal(schedule.last_run_at)}>
                  {schedule.last_run_at ? formatRelative(schedule.last_run_at, now) : "never"}
                </td>
                <td className="schedules__actions">
                  <button
                    type="button"
                    aria-pressed={schedule.paused}
                    disabled={busyId === schedule.id}
                    onClick={() => onPause(schedule, !schedule.paused)}
                  >
                    {schedule.paused ? "Resume" : "Pause"}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={busyId === schedule.id}
                    onClick={() => onDelete(schedule)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ScheduleForm types={types} creating={creating} onCreate={onCreate} />
    </section>
  );
}

function ScheduleForm({
  types,
  creating,
  onCreate,
}: Pick<SchedulesViewProps, "types" | "creating" | "onCreate">) {
  const ids = { type: useId(), cron: useId(), cronHint: useId(), zone: useId(), zones: useId(), payload: useId(), payloadHint: useId() };
  const [type, setType] = useState("");
  const [cron, setCron] = useState("*/5 * * * *");
  const [timezone, setTimezone] = useState("UTC");
  const [payloadText, setPayloadText] = useState("{}");
  const [paused, setPaused] = useState(false);
  const [zonesWanted, setZonesWanted] = useState(false); // the zone suggestions, once wanted

  const selectedType = type || types?.[0]?.name || "";
  const payload = parseSchedulePayload(payloadText);
  const valid = payload.ok && cron.trim() !== "" && timezone.trim() !== "" && selectedType !== "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!payload.ok || !valid) return;
    onCreate({
      t_type: selectedType,
      cron: cron.trim(),
      timezone: timezone.trim(),
      payload: payload.value as ScheduleInput["payload"],
      paused,
    });
  };

  return (
    <form className="schedules__form" onSubmit={submit} aria-label="Create a schedule" noValidate>
      <h3>New schedule</h3>
      <div className="schedules__fields">
        <div className="schedules__field">
          <label htmlFor={ids.type}>Type</label>
          <select id={ids.type} value={selectedType} onChange={(e) => setType(e.target.value)} disabled={!types?.length}>
            {!types && <option value="">Loading types…</option>}
            {types?.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="schedules__field">
          <label htmlFor={ids.cron}>Cron</label>
          <input
            id={ids.cron}
            className="mono"
            value={cron}
            onChange={(e) => setCron(e.target.value)}
            aria-describedby={ids.cronHint}
            spellCheck={false}
          />
        </div>
        <div className="schedules__field">
          <label htmlFor={ids.zone}>Time zone</label>
          <input
            id={ids.zone}
            list={ids.zones}
            value={timezone}
            onChange={(e) => setTimezone(e.target.value)}
            onFocus={() => setZonesWanted(true)}
          />
          {zonesWanted && <ZoneList id={ids.zones} />}
        </div>
        <div className="schedules__field schedules__field--wide">
          <label htmlFor={ids.payload}>Payload (JSON object)</label>
          <input
            id={ids.payload}
            className="mono"
            value={payloadText}
            onChange={(e) => setPayloadText(e.target.value)}
            aria-invalid={payload.ok ? "false" : "true"}
            aria-describedby={ids.payloadHint}
            spellCheck={false}
          />
        </div>
        <label className="schedules__check">
          <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.target.checked)} /> Start paused
        </label>
        <button type="submit" className="primary" disabled={creating || !valid}>
          {creating ? "Creating…" : "Create schedule"}
        </button>
      </div>
      <p id={ids.cronHint} className="schedules__hint">
        minute hour day month weekday (e.g. <code>0 9 * * 1-5</code>); 6 fields put seconds first; <code>@hourly</code>{" "}
        works too.
      </p>
      {!payload.ok && (
        <p id={ids.payloadHint} className="schedules__error" role="alert">
          {payload.error}
        </p>
      )}
    </form>
  );
}
