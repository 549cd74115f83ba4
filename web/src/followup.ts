// followup.ts - the follow-up API's shapes (docs/indicators.md) and the small
// helpers the dashboard needs to show them: a cell's value or its suppression,
// numbers in the UI's language, month lists, the forecast's holiday periods.
//
// Every aggregate result carries its own table form under `table` and can be
// downloaded as CSV with `format=csv`; the dashboard links to that download
// rather than building CSV itself, so a file holds exactly what the API says.
// A suppressed cell (fewer than `min_cell` episodes behind it) is null in JSON
// and named in the row's `suppressed` list; it is never guessed or summed.
import { lang } from './i18n';
import type { Measure, ValueRow } from './openapi.gen';

// The shapes are docs/openapi.json's schemas, generated at build time (src/openapi.gen.ts).
export type {
  Catalogue,
  Forecast as ForecastResult,
  ForecastDay,
  ForecastSeries,
  Grid,
  IndicatorRow,
  IndicatorTable as IndicatorResult,
  Measure,
  PointCount,
  PointMeasurement as PointResult,
  SavedPoint,
  SurveyForm,
  SurveyQuestion,
  ValueRow,
} from './openapi.gen';
export type MeasureKind = Measure['kind'];

/** The four yes/no questions' codes (src/core/survey.c), for the staff's phone form. */
export const SURVEY_QUESTIONS = ['felt_safe', 'took_part', 'knew_care_contact', 'sip_where_wanted'] as const;

// ---- cells ----

export type CellState = 'value' | 'suppressed' | 'none';

export function cellState(row: ValueRow | undefined, code: string): CellState {
  if (!row) return 'none';
  if (row.suppressed?.includes(code)) return 'suppressed';
  const v = row.values[code];
  return v === null || v === undefined ? 'none' : 'value';
}

/** The value for a chart: null (a gap) when suppressed or missing. */
export function cellValue(row: ValueRow | undefined, code: string): number | null {
  const v = row?.values[code];
  return v === null || v === undefined ? null : v;
}

// ---- numbers in the UI's language ----

const nf = {
  sv: [0, 1, 2].map((d) => new Intl.NumberFormat('sv-SE', { minimumFractionDigits: d, maximumFractionDigits: d })),
  en: [0, 1, 2].map((d) => new Intl.NumberFormat('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d })),
};

export function formatNumber(v: number, decimals = 0): string {
  return nf[lang.get()][decimals].format(v);
}

/** A measure's value as shown: shares as per cent, means with one decimal, counts whole. */
export function formatMeasure(v: number, kind: MeasureKind | string): string {
  if (kind === 'share') return `${formatNumber(v * 100, 0)} %`;
  if (kind === 'mean' || kind === 'median' || kind === 'p90') return formatNumber(v, 1);
  return formatNumber(v, Number.isInteger(v) ? 0 : 1);
}

export function measureLabel(m: Measure | undefined, code: string): string {
  if (!m) return code;
  return lang.get() === 'sv' ? m.sv : m.en;
}

// ---- months and periods ----

/** "2026-11" of a "YYYY-MM-DD". */
export const monthOf = (date: string) => date.slice(0, 7);

/** The month `n` months after "YYYY-MM" (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** The last day of "YYYY-MM" as "YYYY-MM-DD". */
export function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Every month from `from` to `to` ("YYYY-MM"), both included. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 400; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** The holiday periods the forecast offers; the server computes their dates (`period=` on /api/v1/forecast). */
export type HolidayKey = 'christmas' | 'summer' | 'easter' | 'next4w';

// ---- the dashboard's target for the mean ----

const TARGET_KEY = 'hemgang.meanTarget';
export const DEFAULT_TARGET = 3;

export function loadTarget(): number {
  try {
    const v = Number(localStorage.getItem(TARGET_KEY));
    if (Number.isFinite(v) && v > 0) return v;
  } catch {
    /* storage blocked */
  }
  return DEFAULT_TARGET;
}

export function saveTarget(v: number): void {
  try {
    localStorage.setItem(TARGET_KEY, String(v));
  } catch {
    /* storage blocked */
  }
}

/** A query string from the parameters that are set. */
export function qs(params: Record<string, string | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}
