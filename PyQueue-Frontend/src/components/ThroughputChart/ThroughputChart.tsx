/** Completed and failed tasks per minute (uPlot; this module is lazy-loaded). */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ThroughputPoint } from "../../api/types";
import { formatClock } from "../../utils/time";
import "./ThroughputChart.css";

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function toSeries(points: ThroughputPoint[]): uPlot.AlignedData {
  return [
    points.map((p) => Date.parse(p.minute) / 1000),
    // null instead of 0: uPlot draws no bar (not even a hairline) for empty minutes.
    points.map((p) => p.completed || null),
    points.map((p) => p.failed || null),
  ];
}

function options(width: number): uPlot.Options {
  const text = cssVar("--muted", "#666");
  const grid = cssVar("--border", "#ddd");
  const completed = cssVar("--st-completed", "#15803d");
  const failed = cssVar("--st-failed", "#c62828");
  const bars = uPlot.paths.bars?.({ size: [0.45, 14], gap: 1 });
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: 170,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
    axes: [
      { ...axis, values: (_u, ticks) => ticks.map((t) => formatClock(new Date(t * 1000))) },
      { ...axis, size: 40 },
    ],
    series: [
      {},
      { label: "Completed", stroke: completed, fill: `${completed}cc`, paths: bars, points: { show: false } },
      { label: "Failed", stroke: failed, fill: `${failed}cc`, paths: bars, points: { show: false } },
    ],
  };
}

export default function ThroughputChart({ points }: { points: ThroughputPoint[] }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = useRef<ThroughputPoint[]>([]);

  useEffect(() => {
    const node = container.current;
    if (!node) return;
    const build = () => {
      chart.current?.destroy();
      chart.current = new uPlot(options(node.clientWidth || 480), toSeries(data.current), node);
    };
    build();
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: node.clientWidth, height: 170 }));
    resize.observe(node);
    const scheme = window.matchMedia("(prefers-color-scheme: dark)");
    scheme.addEventListener("change", build);
    return () => {
      resize.disconnect();
      scheme.removeEventListener("change", build);
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    data.current = points;
    chart.current?.setData(toSeries(points));
  }, [points]);

  return <div ref={container} className="throughput-chart" aria-hidden="true" />;
}
