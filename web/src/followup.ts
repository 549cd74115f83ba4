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

export type MeasureKind = 'count' | 'sum' | 'mean' | 'share' | 'median' | 'p90';

export interface Measure {
  code: string;
  sv: string;
  en: string;
  kind: MeasureKind;
  brief?: boolean;
}

export interface Grid {
  columns: { code: string; label: string }[];
  rows: (string | number | null)[][];
}

export interface ValueRow {
  values: Record<string, number | null>;
  suppressed?: string[];
}

export interface IndicatorRow extends ValueRow {
  keys: Record<string, string>;
}

export interface IndicatorResult {
  subject: string;
  from: string;
  to: string;
  dimensions: string[];
  min_cell: number;
  measures: Measure[];
  rows: IndicatorRow[];
  total: ValueRow;
  table: Grid;
}

export interface Catalogue {
  min_cell: number;
  municipality: string | null; // set for a municipality's users: the only one they see
  subjects: { code: string; sv: string; en: string; measures: Measure[] }[];
}

export interface PointCount {
  municipality?: string;
  ward?: string;
  patients: number;
  ready_days: number;
}

export interface PointResult {
  at: string;
  patients: number;
  ready_days: number;
  municipalities: PointCount[];
  wards: PointCount[];
  table: Grid;
  id?: number;
  label?: string;
  municipality?: string | null;
  taken_at?: string;
  taken_by?: string;
}

export interface SavedPoint {
  id: number;
  at: string;
  taken_at: string;
  taken_by: string;
  municipality: string | null;
  label: string;
  patients: number;
  ready_days: number;
}

export interface ForecastDay {
  date: string;
  expected: number | null;
  low: number | null;
  high: number | null;
  actual: number | null;
}

export interface ForecastSeries {
  municipality: string | null; // null: the whole scope's own series
  years_used: number;
  trend: number | null;
  days: ForecastDay[];
}

export interface ForecastResult {
  from: string;
  to: string;
  origin: string;
  data_start: string | null;
  band: string;
  series: ForecastSeries[];
  table: Grid;
}

export interface SurveyQuestion {
  code: string;
  sv: string;
  en: string;
  answer: 'yes_no' | 'text';
}

export interface SurveyForm {
  questions: SurveyQuestion[];
  respondents: string[];
}

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
