// Chart.tsx - a chart drawn by uPlot (a small canvas charting library from npm,
// bundled: nothing is loaded from elsewhere) over categories on the x axis
// (months, days, municipalities).
//
// The page's Content-Security-Policy allows no inline style (style-src 'self'):
// uPlot's stylesheet is bundled into our CSS file, and uPlot itself only sets
// element styles through the CSSOM (el.style.x = ...), which CSP permits; the
// e2e tests check that the browser reports no violation. A chart is a picture
// of the table next to it: the wrapper is role="img" with a label saying what
// it shows, the canvas and legend are hidden from assistive technology, and
// every figure is in the table. Series differ by dash pattern as well as by
// colour, so no chart depends on colour alone.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Colours with at least 3:1 contrast on white (WCAG 2.1 non-text contrast). */
export const PALETTE = [
  '#0b5394',
  '#b3261e',
  '#1e7b34',
  '#7b3fa0',
  '#a15c00',
  '#006d77',
  '#5b5b5b',
  '#b0127b',
  '#3f51b5',
  '#6b7a00',
  '#8d4e24',
  '#00695c',
];
const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [10, 3, 2, 3]];

export function seriesStyle(i: number): { color: string; dash?: number[] } {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length + i) % DASHES.length] };
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
  width?: number;
  show?: boolean;
  bars?: boolean;
  points?: boolean;
  /** A reference line (a target), not data: left out of `data-gaps`. */
  reference?: boolean;
}

export interface ChartProps {
  /** What the chart shows, for screen readers (the figures are in the table). */
  label: string;
  testid: string;
  /** Category labels of the x axis, and what they are (the legend's first entry: "Månad"). */
  x: string[];
  xName: string;
  series: ChartSeries[];
  yMin?: number;
  yMax?: number;
  /** Formats y values (axis and legend). */
  format?: (v: number) => string;
  /** Indices into `series` of the upper and lower edge of a band to fill. */
  band?: [number, number];
  bandFill?: string;
  height?: number;
  rotateLabels?: boolean;
}

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

function options(p: ChartProps, width: number): uPlot.Options {
  const n = p.x.length;
  const bars = p.series.some((s) => s.bars);
  const fmt = p.format ?? ((v: number) => String(v));
  return {
    width,
    height: p.height ?? 260,
    cursor: { drag: { x: false, y: false }, points: { show: !bars } },
    legend: { show: true, live: false },
    scales: {
      x: { time: false, range: bars ? [-0.5, n - 0.5] : [0, Math.max(1, n - 1)] },
      y: {
        range: (_u, min, max) => {
          const lo = p.yMin ?? Math.min(0, min ?? 0);
          const hi = p.yMax ?? Math.max(1, (max ?? 1) * 1.1);
          return [lo, hi];
        },
      },
    },
    axes: [
      {
        stroke: '#363d45',
        font: FONT,
        grid: { show: false },
        ticks: { stroke: '#d4d9e0' },
        incrs: [1, 2, 3, 4, 6, 12, 24, 48],
        space: p.rotateLabels ? 18 : 56,
        values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? (p.x[v] ?? '') : '')),
        rotate: p.rotateLabels ? -40 : 0,
        size: p.rotateLabels ? 96 : 40,
      },
      {
        stroke: '#363d45',
        font: FONT,
        grid: { stroke: '#e3e7ec' },
        ticks: { stroke: '#d4d9e0' },
        size: 56,
        values: (_u, splits) => splits.map((v) => fmt(v)),
      },
    ],
    series: [
      { label: p.xName, value: (_u, v) => (v === null || v === undefined ? '' : (p.x[v] ?? '')) },
      ...p.series.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 2,
          dash: s.dash,
          show: s.show ?? true,
          fill: s.bars ? s.color : undefined,
          paths: s.bars ? uPlot.paths.bars!({ size: [0.7, 48], gap: 2 }) : undefined,
          points: { show: s.points ?? !s.bars, size: 5 },
          spanGaps: false,
          value: (_u, v) => (v === null || v === undefined ? '–' : fmt(v)),
        }),
      ),
    ],
    bands: p.band ? [{ series: [p.band[0] + 1, p.band[1] + 1], fill: p.bandFill ?? 'rgba(11, 83, 148, 0.15)' }] : [],
  };
}

export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  // Rebuild the chart when what it shows changes (a new period, a language switch ...).
  const key = JSON.stringify([p.x, p.xName, p.series.map((s) => [s.label, s.values, s.show, s.color]), p.yMin, p.yMax, p.band]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const height = p.height ?? 260;
    const u = new uPlot(
      options(p, Math.max(240, el.clientWidth)),
      [p.x.map((_, i) => i), ...p.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const ro = new ResizeObserver(() => {
      const w = Math.max(240, el.clientWidth);
      if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
    };
  }, [key]);
  return (
    <div
      class="chart"
      role="img"
      aria-label={p.label}
      data-testid={p.testid}
      data-gaps={p.x.filter((_, i) => p.series.every((se) => se.reference || se.values[i] === null || se.values[i] === undefined)).join(',')}
    >
      <div class="chart-plot" ref={box} aria-hidden="true" />
    </div>
  );
}
