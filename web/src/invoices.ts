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
import type { Invoice, InvoiceLine, paths } from './openapi.gen';

// The shapes are docs/openapi.json's schemas, generated at build time (src/openapi.gen.ts).
export type {
  AgreementAnswer,
  AgreementDoc,
  Average,
  AverageCare,
  Exclusion,
  Holiday,
  Invoice,
  InvoiceDifference as Difference,
  InvoiceLine,
  InvoiceReview as Review,
  InvoiceRow,
  InvoiceStep as Step,
  InvoiceView as View,
  Judged,
  LiabilityPeriod as Period,
} from './openapi.gen';

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

/** What a step sends: the request body docs/openapi.json describes for the three step endpoints. */
export type StepBody = NonNullable<paths['/api/v1/invoices/{id}/send']['post']['requestBody']>['content']['application/json'];

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
