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

export function addDays(date: string, n: number): string {
  const d = new Date(date + 'T12:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Easter Sunday of a year (the Gregorian computus, Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export type HolidayKey = 'christmas' | 'summer' | 'easter' | 'next4w';

/**
 * The next occurrence of a holiday period that has not ended by `today`, its
 * start moved to tomorrow when it has begun (a forecast starts after its origin):
 * Christmas and New Year 20 Dec – 6 Jan, summer 20 Jun – 16 Aug, Easter from the
 * Saturday before Palm Sunday to the Sunday after Easter Monday, or the next four weeks.
 */
export function holidayPeriod(key: HolidayKey, today: string): { from: string; to: string } {
  const year = Number(today.slice(0, 4));
  const tomorrow = addDays(today, 1);
  const pick = (make: (y: number) => { from: string; to: string }) => {
    let p = make(year - 1);
    if (p.to < tomorrow) p = make(year);
    if (p.to < tomorrow) p = make(year + 1);
    return { from: p.from < tomorrow ? tomorrow : p.from, to: p.to };
  };
  switch (key) {
    case 'christmas':
      return pick((y) => ({ from: `${y}-12-20`, to: `${y + 1}-01-06` }));
    case 'summer':
      return pick((y) => ({ from: `${y}-06-20`, to: `${y}-08-16` }));
    case 'easter':
      return pick((y) => {
        const e = easterSunday(y);
        return { from: addDays(e, -8), to: addDays(e, 7) };
      });
    default:
      return { from: tomorrow, to: addDays(today, 28) };
  }
}

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
