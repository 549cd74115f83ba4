// invoices.ts - the invoice API's shapes (docs/invoices.md, docs/openapi.json)
// and the helpers the invoice pages need: amounts in öre shown as Swedish
// kronor, kronor typed by a user read back into exact öre (never through
// floating point), month names, the caller's side (region or municipality),
// and the step refusals turned into messages next to the control they concern.
//
// The step endpoints (send, dispute, decision) answer a refusal with its code
// (reason_required, bad_amount ...) but without a `field` member; stepProblem()
// adds the member the code is about, so fields.tsx puts the message next to it.
import { ApiError, request } from './api';
import { codeLabel, lang } from './i18n';
import { directory } from './state';
import type { Session } from './api';

export interface Holiday {
  date: string;
  name: string;
}

export interface Period {
  ready_date: string;
  end_date: string | null;
  ready_days: number;
  grace_days_left: number;
  grace_end: string | null;
  liable_nights: number;
}

/** What lines and exclusions share: the stay and how it was judged. */
export interface Judged {
  episode: number;
  personnummer: string;
  patient_name: string;
  hospital?: string;
  ward?: string;
  ward_name?: string;
  care?: string;
  ready_date?: string | null;
  discharge_date?: string | null;
  grace_end?: string | null;
  ready_days?: number;
  ready_nights?: number;
  agreement?: string;
  agreement_version?: number;
  periods?: Period[];
  holidays_skipped?: Holiday[];
}

export interface InvoiceLine extends Judged {
  nights: number;
  amount_ore: number;
  first_night: string | null;
  last_night: string | null;
  rate_fallback?: boolean;
}

export interface Exclusion extends Judged {
  reason: string;
  reason_sv?: string;
  reason_en?: string;
  unbilled_nights: number;
  unbilled_ore: number;
  error?: string;
}

export interface AverageCare {
  care: string;
  episodes: number;
  ready_days: number;
  threshold_centidays: number;
  allowed_centidays: number;
  excess_centidays: number;
  days_billed: number;
  amount_per_day_ore: number;
  amount_ore: number;
}

export interface Average {
  agreement: string;
  agreement_version: number;
  period_from: string;
  period_to: string;
  care: AverageCare[];
  episodes: { episode: number; personnummer: string; patient_name: string; care: string; discharge_date: string; ready_days: number; billable: boolean; reason: string }[];
  total_ore: number;
}

export interface Step {
  seq: number;
  at: string;
  username: string;
  org: string;
  action: string;
  state: string;
  outcome: string | null;
  reason: string;
  detail: {
    lines?: number[];
    adjustments?: { episode: number; amount_ore: number; before_ore: number }[];
    superseded_by?: number;
  };
  owed_ore: number;
}

export interface InvoiceRow {
  id: number;
  municipality: string;
  municipality_name: string;
  month: string;
  revision: number;
  state: string;
  outcome: string | null;
  cutoff: string;
  built_at?: string;
  built_by?: string;
  agreement: string | null;
  agreement_version: number | null;
  total_ore: number;
  owed_ore: number;
  line_count?: number;
  exclusion_count?: number;
  status?: string; // in a build's answer
}

export interface Invoice extends InvoiceRow {
  agreements: { id: string; version: number }[];
  lines: InvoiceLine[];
  exclusions: Exclusion[];
  average: Average | null;
  steps?: Step[];
}

export interface View {
  kind: 'line' | 'exclusion' | 'average';
  nights?: number;
  amount_ore?: number;
  first_night?: string | null;
  last_night?: string | null;
  reason?: string;
  unbilled_nights?: number;
  unbilled_ore?: number;
  ready_days?: number;
  billable?: boolean;
}

export interface Difference {
  episode: number;
  change: 'added' | 'removed' | 'changed';
  before: View | null;
  after: View | null;
}

export interface Review {
  invoice: number;
  reproducible: boolean;
  identical: boolean;
  mismatches: Difference[];
  cutoff: string;
  as_of: string;
  differences: Difference[];
  total_ore: number;
  total_now_ore: number;
}

export interface AgreementDoc {
  id: string;
  name: string;
  version: number;
  model: 'per_night' | 'average';
  grace_days?: Record<string, number>;
  count?: 'calendar' | 'weekdays';
  eves?: boolean;
  withdrawal?: string;
}

export interface AgreementAnswer {
  agreement: { id: string; version: number; name: string; model: string };
  document: AgreementDoc;
}

// ---- amounts ----

const groupFmt = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0, useGrouping: true });

/** "120 900,00 kr" for 12090000 öre: Swedish grouping and decimal comma in either language. */
export function kronor(ore: number | null | undefined): string {
  if (ore === null || ore === undefined || !Number.isFinite(ore)) return '–';
  const neg = ore < 0;
  const a = Math.abs(Math.trunc(ore));
  const whole = Math.floor(a / 100);
  const cents = a % 100;
  return `${neg ? '−' : ''}${groupFmt.format(whole)},${String(cents).padStart(2, '0')}\u00a0kr`;
}

/** "120 900,50" (no unit) for an input's initial value. */
export function kronorPlain(ore: number): string {
  return kronor(ore).replace(/\u00a0kr$/, '');
}

/**
 * Öre from what a user typed as kronor: "9300", "9 300", "9 300,5", "9300.50",
 * "9 300 kr". Null when it is not an amount (more than two decimals, letters,
 * a sign, over 9 digits of kronor).
 */
export function parseKronor(text: string): number | null {
  const s = text.replace(/[\s\u00a0\u202f]/g, '').replace(/kr$/i, '');
  const m = /^([0-9]{1,9})(?:[.,]([0-9]{1,2}))?$/.exec(s);
  if (!m) return null;
  const frac = (m[2] ?? '').padEnd(2, '0');
  return Number(m[1]) * 100 + Number(frac);
}

/** The amount of one night of a line: a line's nights all lie in one month, so in one year at one rate. */
export function perNight(l: InvoiceLine): number | null {
  if (!l.nights) return null;
  return l.amount_ore % l.nights === 0 ? l.amount_ore / l.nights : null;
}

// ---- months ----

/** "september 2026" / "September 2026" for "2026-09". */
export function monthLabel(month: string | null | undefined): string {
  if (!month) return '–';
  const m = /^([0-9]{4})-([0-9]{2})$/.exec(month);
  if (!m) return month;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(lang.get() === 'sv' ? 'sv-SE' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
}

/** The months from `back` months before the current one up to the current one, newest first ("YYYY-MM"). */
export function recentMonths(back: number): string[] {
  const now = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .slice(0, 7);
  let y = Number(now.slice(0, 4));
  let m = Number(now.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i <= back; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m--;
    if (m === 0) {
      m = 12;
      y--;
    }
  }
  return out;
}

// ---- the caller ----

export type Side = 'region' | 'municipality' | null;

/** Which party an invoice officer speaks for; null for every other role. */
export function sideOf(me: Session): Side {
  if (me.user.role !== 'invoice_officer') return null;
  const org = directory.get().orgs.get(me.user.organisation);
  if (org) return org.kind === 'region' ? 'region' : 'municipality';
  return /^[0-9]{4}$/.test(me.user.organisation) ? 'municipality' : 'region';
}

/** The municipalities the caller may choose: the region's county, or its own municipality. */
export function municipalitiesOf(me: Session): { value: string; label: string }[] {
  const orgs = [...directory.get().orgs.values()];
  const own = directory.get().orgs.get(me.user.organisation);
  const county = own?.county ?? '';
  return orgs
    .filter((o) => o.kind === 'municipality' && (sideOf(me) === 'region' ? !county || o.county === county : o.code === me.user.organisation))
    .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
    .map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }));
}

// ---- steps ----

/** The member a refusal is about (docs/invoices.md): where the message belongs on the form. */
const REFUSAL_FIELD: Record<string, string> = {
  reason_required: 'reason',
  reason_too_long: 'reason',
  outcome_required: 'outcome',
  outcome_not_allowed: 'outcome',
  unknown_line: 'lines',
  duplicate_line: 'lines',
  lines_not_allowed: 'lines',
  adjustments_required: 'adjustments',
  adjustments_not_allowed: 'adjustments',
  line_not_disputed: 'adjustments',
  bad_amount: 'adjustments',
  no_change: 'adjustments',
};

/** A refusal with its `field` filled in and its message in the UI's language. */
export function stepProblem(e: unknown): unknown {
  if (!(e instanceof ApiError)) return e;
  const p = e.problem;
  const known = codeLabel('invoice_refusal', p.code);
  const field = p.field || REFUSAL_FIELD[p.code];
  if (known === p.code && field === p.field) return e;
  return new ApiError({ ...p, field, detail: known !== p.code ? known : p.detail });
}

export type StepName = 'send' | 'dispute' | 'decision';

export interface StepBody {
  reason?: string;
  lines?: number[];
  outcome?: string;
  adjustments?: { episode: number; amount_ore: number }[];
}

/** POSTs a step; the answer is the invoice after it. Refusals come back through stepProblem(). */
export async function postStep(id: number, step: StepName, body: StepBody, key: string): Promise<Invoice> {
  try {
    const r = await request<Invoice>('POST', `/api/v1/invoices/${id}/${step}`, { body, idempotencyKey: key });
    return r.data as Invoice;
  } catch (e) {
    throw stepProblem(e);
  }
}

/** The lines named by the last dispute step: null when none, [] for the whole invoice. */
export function disputedLines(inv: Invoice): number[] | null {
  const steps = inv.steps ?? [];
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i].action === 'dispute') return steps[i].detail.lines ?? [];
  return null;
}

/** The decision's new amounts by episode (with the amount before). */
export function adjustments(inv: Invoice): Map<number, { amount_ore: number; before_ore: number }> {
  const out = new Map<number, { amount_ore: number; before_ore: number }>();
  for (const s of inv.steps ?? []) if (s.action === 'decide') for (const a of s.detail.adjustments ?? []) out.set(a.episode, a);
  return out;
}
