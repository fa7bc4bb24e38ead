import { lazy, Suspense } from "react";
import { STATUSES } from "../../api/types";
import { useStats, useThroughput } from "../../hooks/queries";
import { plural } from "../../utils/plural";
import "./Overview.css";

const ThroughputChart = lazy(() => import("../ThroughputChart/ThroughputChart"));
const MINUTES = 30;

function StatCard({ label, value, tone, hint }: { label: string; value: string; tone: string; hint?: string }) {
  return (
    <div className={`stat-card stat-card--${tone}`} data-stat={label}>
      <span className="stat-card__label">{label}</span>
      <span className="stat-card__value">{value}</span>
      {hint ? <span className="stat-card__hint">{hint}</span> : null}
    </div>
  );
}

function processes(count: number): string {
  return `in ${plural(count, "process", "processes")}`;
}

/** Counts by status, workers busy / total, and the per-minute chart. */
export function Overview() {
  const stats = useStats();
  const throughput = useThroughput(MINUTES);
  const byStatus = (stats.data?.by_status ?? {}) as Record<string, number | undefined>;
  const show = (n: number | undefined) => (stats.data ? String(n ?? 0) : "…");
  const points = throughput.data ?? [];
  const completed = points.reduce((sum, p) => sum + p.completed, 0);
  const failed = points.reduce((sum, p) => sum + p.failed, 0);

  return (
    <section className="card overview" aria-label="Overview">
      <h2>Overview</h2>
      <div className="overview__stats">
        <StatCard label="Total" value={show(stats.data?.total)} tone="total" />
        {STATUSES.map((status) => (
          <StatCard key={status} label={status} value={show(byStatus[status])} tone={status.toLowerCase()} />
        ))}
        <StatCard
          label="Workers busy"
          value={stats.data ? `${stats.data.workers.busy} / ${stats.data.workers.total}` : "…"}
          hint={stats.data ? processes(stats.data.workers.processes) : undefined}
          tone="workers"
        />
      </div>
      <figure className="overview__chart">
        <figcaption>
          Completed and failed per minute, last {MINUTES} min
          <span className="muted">
            {" "}
            ({completed} completed, {failed} failed)
          </span>
        </figcaption>
        {throughput.data ? (
          <Suspense fallback={<p className="muted">Loading chart…</p>}>
            <ThroughputChart points={points} />
          </Suspense>
        ) : (
          <p className="muted">{throughput.isError ? "Chart unavailable." : "Loading chart…"}</p>
        )}
      </figure>
    </section>
  );
}
