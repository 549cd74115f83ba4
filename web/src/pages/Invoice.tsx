// Invoice.tsx - one invoice basis (GET /api/v1/invoices/{id}) for both parties:
// the header (municipality, month, agreement and version, cut-off, state,
// total), every line with how its nights were counted (ready date, grace end
// under the agreement's grace days, the public holidays the weekday count
// skipped, nights × the amount per night), the episodes not billed with their
// reasons, the average model's settlement, the check against the events now
// (GET .../review), the trail of steps, the downloads, and the one action the
// caller's party may take in the basis's state: the region sends a draft and
// decides a dispute, the municipality disputes a sent basis (whole or lines).
// A refused step shows its message next to the control it concerns.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, get, useSubmit, type Session } from '../api';
import { ErrorBox, Link, Loading } from '../components/common';
import { FieldErrors, FormShell, TextArea, TextInput, fieldId } from '../components/fields';
import { codeLabel, codeList, formatDate, formatInstant, lang, t } from '../i18n';
import {
  adjustments,
  disputedLines,
  kronor,
  kronorPlain,
  monthLabel,
  parseKronor,
  perNight,
  postStep,
  sideOf,
  type AgreementAnswer,
  type AgreementDoc,
  type Difference,
  type Invoice as InvoiceDoc,
  type InvoiceLine,
  type Review,
  type Side,
  type View,
} from '../invoices';
import { orgName } from '../state';
import { InvoiceStateBadge } from './Invoices';

const agreementKey = (id: string | null | undefined, version: number | null | undefined) => `${id ?? ''}@${version ?? 0}`;

function Fact(p: { label: string; children: ComponentChildren; id?: string }) {
  return (
    <div class="fact" data-fact={p.id}>
      <dt>{p.label}</dt>
      <dd>{p.children}</dd>
    </div>
  );
}

/** "18–30 sep" style range of a line's nights, as dates. */
function nightsRange(l: InvoiceLine): string {
  if (!l.first_night) return '';
  return l.first_night === l.last_night ? formatDate(l.first_night) : `${formatDate(l.first_night)} – ${formatDate(l.last_night)}`;
}

function graceRule(doc: AgreementDoc | undefined, care: string | undefined): string | null {
  if (!doc || doc.model !== 'per_night' || !doc.grace_days || !care || doc.grace_days[care] === undefined) return null;
  const n = doc.grace_days[care];
  const unit = doc.count === 'weekdays' ? t('grace_weekdays') : t('grace_calendar');
  return `${n} ${unit}${doc.count === 'weekdays' && doc.eves ? ` (${t('grace_eves')})` : ''}`;
}

// ---- header ----

function Header(p: { inv: InvoiceDoc; agreements: Map<string, AgreementDoc> }) {
  const inv = p.inv;
  const doc = p.agreements.get(agreementKey(inv.agreement, inv.agreement_version));
  const base = `/api/v1/invoices/${inv.id}/export?format=`;
  return (
    <section class="card inv-head" aria-labelledby="invoice-h">
      <div class="patient-top">
        <h1 id="invoice-h" tabIndex={-1}>
          {t('invoice_title')} {inv.municipality_name} – {monthLabel(inv.month)}
        </h1>
        <InvoiceStateBadge state={inv.state} outcome={inv.outcome} />
      </div>
      <dl class="facts">
        <Fact label={t('municipality')} id="municipality">
          {inv.municipality_name} ({inv.municipality})
        </Fact>
        <Fact label={t('month')} id="month">
          {monthLabel(inv.month)} <span class="meta">({inv.month})</span>
        </Fact>
        <Fact label={t('agreement')} id="agreement">
          {doc?.name ?? inv.agreement ?? '–'}{' '}
          <span class="meta">
            ({inv.agreement}, {t('agreement_version')} {inv.agreement_version})
          </span>
        </Fact>
        <Fact label={t('cutoff')} id="cutoff">
          <time dateTime={inv.cutoff}>{formatInstant(inv.cutoff)}</time>
          <span class="pnr">{t('cutoff_hint')}</span>
        </Fact>
        <Fact label={t('state')} id="state">
          <InvoiceStateBadge state={inv.state} outcome={inv.outcome} />
          <span class="pnr">
            #{inv.id} · {t('revision')} {inv.revision}
          </span>
        </Fact>
        <Fact label={t('total')} id="total">
          <strong class="inv-amount" data-ore={inv.total_ore}>
            {kronor(inv.total_ore)}
          </strong>
        </Fact>
        {inv.owed_ore !== inv.total_ore ? (
          <Fact label={t('owed')} id="owed">
            <strong class="inv-amount" data-ore={inv.owed_ore}>
              {kronor(inv.owed_ore)}
            </strong>
          </Fact>
        ) : null}
        <Fact label={t('built')} id="built">
          {formatInstant(inv.built_at)} {t('by')} {inv.built_by}
        </Fact>
      </dl>
      <nav class="inv-exports" aria-label={t('exports')}>
        <span class="inv-exports-label">{t('exports')}:</span>
        <a href={base + 'csv'} download data-format="csv">
          {t('export_csv')}
        </a>
        <a href={base + 'csv&comma=1'} download data-format="csv-comma">
          {t('export_csv_comma')}
        </a>
        <a href={base + 'xlsx'} download data-format="xlsx">
          {t('export_xlsx')}
        </a>
        <a href={base + 'pdf'} download data-format="pdf">
          {t('export_pdf')}
        </a>
      </nav>
    </section>
  );
}

// ---- lines ----

function HowCounted(p: { l: InvoiceLine; doc: AgreementDoc | undefined }) {
  const l = p.l;
  const rule = graceRule(p.doc, l.care);
  const per = perNight(l);
  const periods = l.periods ?? [];
  return (
    <ul class="plain inv-how" aria-label={t('col_how')}>
      <li class="inv-how-label" aria-hidden="true">
        {t('col_how')}:
      </li>
      {rule ? (
        <li data-how="grace">
          {t('grace_rule')}: {rule}
        </li>
      ) : null}
      <li data-how="holidays">
        {t('holidays_skipped')}:{' '}
        {l.holidays_skipped && l.holidays_skipped.length
          ? l.holidays_skipped.map((h, i) => (
              <span key={h.date}>
                {i ? ', ' : ''}
                {h.name} {formatDate(h.date)}
              </span>
            ))
          : t('holidays_none')}
      </li>
      <li data-how="nights">
        {l.nights} × {per !== null ? kronor(per) : '…'} = {kronor(l.amount_ore)}
      </li>
      <li class="meta">
        {l.ready_nights ?? '–'} {t('ready_nights')}; {l.ready_days ?? '–'} {t('ready_days_total')}
      </li>
      {periods.length > 1 ? (
        <li>
          <details>
            <summary>
              {t('periods')} ({periods.length})
            </summary>
            <ol class="plain">
              {periods.map((pd) => (
                <li key={pd.ready_date}>
                  {formatDate(pd.ready_date)} – {pd.end_date ? formatDate(pd.end_date) : t('period_open')}: {t('col_grace_end').toLowerCase()}{' '}
                  {formatDate(pd.grace_end)}, {pd.liable_nights} {t('period_liable')}
                </li>
              ))}
            </ol>
          </details>
        </li>
      ) : null}
      {l.rate_fallback ? <li class="meta" data-how="rate-fallback">{t('rate_fallback_line')}</li> : null}
    </ul>
  );
}

function Lines(p: { inv: InvoiceDoc; agreements: Map<string, AgreementDoc> }) {
  const inv = p.inv;
  const disputed = disputedLines(inv);
  const adj = adjustments(inv);
  const isDisputed = (ep: number) => disputed !== null && (disputed.length === 0 || disputed.includes(ep));
  const sumNights = inv.lines.reduce((a, l) => a + l.nights, 0);
  const sumAmount = inv.lines.reduce((a, l) => a + l.amount_ore, 0);
  const fallbacks = inv.lines.filter((l) => l.rate_fallback).length;
  return (
    <section class="card" aria-labelledby="invoice-lines-h" id="invoice-lines">
      <h2 id="invoice-lines-h">
        {t('lines_title')}
        <span class="count">{inv.lines.length}</span>
      </h2>
      {fallbacks > 0 ? (
        // one warning for the invoice, however many lines it concerns (issue 18.5)
        <p class="inv-note" role="note" id="rate-fallback">
          {t('rate_fallback')} ({fallbacks} {t('rate_fallback_lines')})
        </p>
      ) : null}
      {inv.lines.length === 0 ? (
        <p class="empty">{t('lines_empty')}</p>
      ) : (
        <div class="table-wrap">
          <table class="inv-lines">
            <caption class="sr-only">{t('lines_title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col_patient')}</th>
                <th scope="col">{t('invoice_col_ward')}</th>
                <th scope="col">{t('col_ready')}</th>
                <th scope="col">{t('col_grace_end')}</th>
                <th scope="col">{t('col_discharged')}</th>
                <th scope="col" class="num">
                  {t('col_nights')}
                </th>
                <th scope="col" class="num">
                  {t('col_per_night')}
                </th>
                <th scope="col" class="num">
                  {t('col_amount')}
                </th>
              </tr>
            </thead>
            {inv.lines.map((l) => {
              const a = adj.get(l.episode);
              const per = perNight(l);
              const head = `inv-line-${l.episode}`;
              return (
                <tbody key={l.episode} data-episode={l.episode} class={'inv-line' + (isDisputed(l.episode) ? ' inv-disputed' : '')}>
                  <tr>
                    <th scope="row" id={head}>
                      {l.patient_name}
                      <span class="pnr">{l.personnummer}</span>
                      <Link href={`/episodes/${l.episode}`} class="inv-episode-link">
                        {`${t('episode_link')} #${l.episode}`}
                      </Link>
                    </th>
                    <td>
                      {l.ward_name ?? l.ward}
                      <span class="pnr">{codeLabel('care_type', l.care)}</span>
                    </td>
                    <td data-col="ready" class="inv-date">
                      {formatDate(l.ready_date, true)}
                    </td>
                    <td data-col="grace_end" class="inv-date">
                      {formatDate(l.grace_end, true)}
                    </td>
                    <td data-col="discharged" class="inv-date">
                      {l.discharge_date ? formatDate(l.discharge_date, true) : <em>{t('still_in_hospital')}</em>}
                    </td>
                    <td class="num" data-col="nights">
                      {l.nights}
                      <span class="pnr">{nightsRange(l)}</span>
                    </td>
                    <td class="num" data-col="per_night" data-ore={per ?? ''}>
                      {per !== null ? kronor(per) : '–'}
                    </td>
                    <td class="num" data-col="amount" data-ore={l.amount_ore}>
                      {a ? <s>{kronor(l.amount_ore)}</s> : kronor(l.amount_ore)}
                      {a ? (
                        <span class="inv-adjusted" data-ore={a.amount_ore}>
                          {t('line_adjusted_to')} {kronor(a.amount_ore)}
                        </span>
                      ) : null}
                      {isDisputed(l.episode) ? <span class="badge inv-disputed-badge">{t('line_disputed')}</span> : null}
                    </td>
                  </tr>
                  <tr class="inv-how-row">
                    <td colSpan={8} data-col="how" headers={head}>
                      <HowCounted l={l} doc={p.agreements.get(agreementKey(l.agreement, l.agreement_version))} />
                    </td>
                  </tr>
                </tbody>
              );
            })}
            <tfoot>
              <tr>
                <th scope="row" colSpan={5}>
                  {t('sum_row')}
                </th>
                <td class="num">{sumNights}</td>
                <td />
                <td class="num" data-ore={sumAmount}>
                  <strong>{kronor(sumAmount)}</strong>
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}

function Exclusions(p: { inv: InvoiceDoc }) {
  const ex = p.inv.exclusions;
  const sv = lang.get() === 'sv';
  return (
    <section class="card" aria-labelledby="invoice-exclusions-h" id="invoice-exclusions">
      <h2 id="invoice-exclusions-h">
        {t('exclusions_title')}
        <span class="count">{ex.length}</span>
      </h2>
      <p class="hint">{t('exclusions_intro')}</p>
      {ex.length === 0 ? (
        <p class="empty">{t('exclusions_empty')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">{t('exclusions_title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col_patient')}</th>
                <th scope="col">{t('invoice_col_ward')}</th>
                <th scope="col">{t('col_ready')}</th>
                <th scope="col">{t('col_reason')}</th>
                <th scope="col" class="num">
                  {t('col_unbilled_nights')}
                </th>
                <th scope="col" class="num">
                  {t('col_unbilled')}
                </th>
              </tr>
            </thead>
            <tbody>
              {ex.map((e) => (
                <tr key={e.episode} data-episode={e.episode} data-reason={e.reason}>
                  <th scope="row">
                    {e.patient_name}
                    <span class="pnr">{e.personnummer}</span>
                    <Link href={`/episodes/${e.episode}`} class="inv-episode-link">
                      {`${t('episode_link')} #${e.episode}`}
                    </Link>
                  </th>
                  <td>
                    {e.ward_name ?? e.ward ?? '–'}
                    <span class="pnr">{codeLabel('care_type', e.care)}</span>
                  </td>
                  <td>{formatDate(e.ready_date, true)}</td>
                  <td>
                    {(sv ? e.reason_sv : e.reason_en) || codeLabel('invoice_reason', e.reason)}
                    {e.error ? <span class="pnr">{e.error}</span> : null}
                  </td>
                  <td class="num">{e.unbilled_nights}</td>
                  <td class="num">{kronor(e.unbilled_ore)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AverageSettlement(p: { inv: InvoiceDoc }) {
  const a = p.inv.average;
  if (!a) return null;
  const days = (c: number) => (c / 100).toLocaleString('sv-SE', { maximumFractionDigits: 2 });
  return (
    <section class="card" aria-labelledby="invoice-average-h" id="invoice-average">
      <h2 id="invoice-average-h">{t('average_title')}</h2>
      <p>
        {t('average_period')}: {formatDate(a.period_from)} – {formatDate(a.period_to)} · {a.agreement} {t('agreement_version')}{' '}
        {a.agreement_version}
      </p>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">{t('average_title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('col_care')}</th>
              <th scope="col" class="num">
                {t('col_episodes')}
              </th>
              <th scope="col" class="num">
                {t('col_ready_days')}
              </th>
              <th scope="col" class="num">
                {t('col_allowed')}
              </th>
              <th scope="col" class="num">
                {t('col_excess')}
              </th>
              <th scope="col" class="num">
                {t('col_days_billed')}
              </th>
              <th scope="col" class="num">
                {t('col_per_night')}
              </th>
              <th scope="col" class="num">
                {t('col_amount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {a.care.map((c) => (
              <tr key={c.care}>
                <th scope="row">{codeLabel('care_type', c.care)}</th>
                <td class="num">{c.episodes}</td>
                <td class="num">{c.ready_days}</td>
                <td class="num">{days(c.allowed_centidays)}</td>
                <td class="num">{days(c.excess_centidays)}</td>
                <td class="num">{c.days_billed}</td>
                <td class="num">{kronor(c.amount_per_day_ore)}</td>
                <td class="num">{kronor(c.amount_ore)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={7}>
                {t('sum_row')}
              </th>
              <td class="num">
                <strong>{kronor(a.total_ore)}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

// ---- review ----

function viewText(v: View | null): string {
  if (!v) return t('view_none');
  if (v.kind === 'line') return `${t('view_line')}: ${v.nights} ${t('nights_range')}, ${kronor(v.amount_ore)}`;
  if (v.kind === 'exclusion') return `${t('view_exclusion')}: ${codeLabel('invoice_reason', v.reason)}`;
  return `${t('view_average')}: ${v.ready_days} ${t('col_ready_days').toLowerCase()}`;
}

const CHANGE: Record<Difference['change'], () => string> = {
  added: () => t('change_added'),
  removed: () => t('change_removed'),
  changed: () => t('change_changed'),
};

function DifferenceList(p: { items: Difference[]; names: Map<number, string> }) {
  return (
    <ul class="inv-diffs">
      {p.items.map((d) => (
        <li key={d.episode} data-episode={d.episode} data-change={d.change}>
          <strong>{p.names.get(d.episode) ?? `#${d.episode}`}</strong> ({CHANGE[d.change]()}):{' '}
          {t('before')} {viewText(d.before)} → {t('after')} {viewText(d.after)}{' '}
          <Link href={`/episodes/${d.episode}`}>{`${t('episode_link')} #${d.episode}`}</Link>
        </li>
      ))}
    </ul>
  );
}

function ReviewSection(p: { inv: InvoiceDoc; review: Review | null; error: unknown }) {
  const names = new Map<number, string>();
  for (const l of [...p.inv.lines, ...p.inv.exclusions]) names.set(l.episode, `${l.patient_name} ${l.personnummer}`);
  const r = p.review;
  return (
    <section class="card" aria-labelledby="invoice-review-h" id="invoice-review" data-reproducible={r ? String(r.reproducible) : undefined}>
      <h2 id="invoice-review-h">{t('review_title')}</h2>
      {p.error ? (
        <ErrorBox error={p.error} />
      ) : !r ? (
        <p class="loading" role="status">
          {t('review_loading')}
        </p>
      ) : (
        <>
          <p class={r.reproducible ? 'inv-ok' : 'inv-bad'} data-testid="review-reproducible">
            <span aria-hidden="true">{r.reproducible ? '✓ ' : '⚠ '}</span>
            {r.reproducible ? t('review_reproducible') : t('review_not_reproducible')}
          </p>
          {r.mismatches.length ? <DifferenceList items={r.mismatches} names={names} /> : null}
          {r.differences.length === 0 ? (
            <p data-testid="review-differences">{t('review_no_differences')}</p>
          ) : (
            <>
              <p data-testid="review-differences">{t('review_differences')}</p>
              <DifferenceList items={r.differences} names={names} />
              <p>
                {t('review_total_now')}: <strong>{kronor(r.total_now_ore)}</strong> ({t('total').toLowerCase()} {kronor(r.total_ore)})
              </p>
            </>
          )}
          <p class="meta">
            {t('review_as_of')} {formatInstant(r.as_of)}
          </p>
        </>
      )}
    </section>
  );
}

// ---- trail ----

function Trail(p: { inv: InvoiceDoc }) {
  const names = new Map<number, string>();
  for (const l of p.inv.lines) names.set(l.episode, `${l.patient_name} (${l.personnummer})`);
  const steps = p.inv.steps ?? [];
  return (
    <section class="card" aria-labelledby="invoice-trail-h" id="invoice-trail">
      <h2 id="invoice-trail-h">
        {t('trail_title')}
        <span class="count">{steps.length}</span>
      </h2>
      <ol class="timeline inv-trail">
        {steps.map((s) => (
          <li key={s.seq} class="ev" data-action={s.action} data-seq={s.seq}>
            <div class="ev-head">
              <span class="ev-title">{codeLabel('invoice_action', s.action)}</span>
              <InvoiceStateBadge state={s.state} outcome={s.outcome} />
              <span class="ev-seq">#{s.seq}</span>
            </div>
            <p class="ev-meta">
              <time dateTime={s.at}>{formatInstant(s.at)}</time> {t('by')}{' '}
              <span class="ev-author" data-user={s.username}>
                {s.username}
              </span>{' '}
              ({orgName(s.org)}) · {t('owed')}: {kronor(s.owed_ore)}
            </p>
            {s.reason ? (
              <p class="inv-reason">
                <span class="sr-only">{t('trail_reason')}: </span>”{s.reason}”
              </p>
            ) : null}
            {s.action === 'dispute' ? (
              <p class="inv-step-detail">
                {!s.detail.lines || s.detail.lines.length === 0
                  ? t('trail_whole')
                  : `${t('trail_lines')}: ${s.detail.lines.map((e) => names.get(e) ?? `#${e}`).join(', ')}`}
              </p>
            ) : null}
            {s.detail.adjustments?.length ? (
              <ul class="plain inv-step-detail">
                {s.detail.adjustments.map((a) => (
                  <li key={a.episode}>
                    {names.get(a.episode) ?? `#${a.episode}`}: {kronor(a.before_ore)} → {kronor(a.amount_ore)}
                  </li>
                ))}
              </ul>
            ) : null}
            {s.detail.superseded_by ? (
              <p class="inv-step-detail">
                {t('trail_superseded_by')} <Link href={`/invoices/${s.detail.superseded_by}`}>#{s.detail.superseded_by}</Link>
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

// ---- actions ----

/** A fieldset's own message (its member exactly, not one of its children). */
function groupError(e: unknown, name: string): string | undefined {
  if (e instanceof FieldErrors) return e.fields[name];
  if (e instanceof ApiError && e.problem.field === name) return e.problem.detail || e.problem.code;
  return undefined;
}

function GroupError(p: { form: string; name: string; error: unknown }) {
  const msg = groupError(p.error, p.name);
  if (!msg) return null;
  return (
    <p class="field-error" id={fieldId(p.form, p.name) + '-err'} data-field={p.name}>
      {msg}
    </p>
  );
}

function RadioGroup(p: {
  form: string;
  name: string;
  legend: string;
  value: string;
  onValue: (v: string) => void;
  options: { value: string; label: string }[];
  error: unknown;
}) {
  const msg = groupError(p.error, p.name);
  const errId = fieldId(p.form, p.name) + '-err';
  return (
    <fieldset class={'field inv-group' + (msg ? ' field-invalid' : '')} id={fieldId(p.form, p.name)}>
      <legend>{p.legend}</legend>
      {p.options.map((o, i) => {
        const id = `${fieldId(p.form, p.name)}-${o.value}`;
        return (
          <div class="field-check" key={o.value}>
            <input
              type="radio"
              id={id}
              name={`${p.form}-${p.name}`}
              value={o.value}
              checked={p.value === o.value}
              aria-invalid={msg && i === 0 ? 'true' : undefined}
              aria-describedby={msg ? errId : undefined}
              onChange={() => p.onValue(o.value)}
            />
            <label for={id}>{o.label}</label>
          </div>
        );
      })}
      <GroupError form={p.form} name={p.name} error={p.error} />
    </fieldset>
  );
}

type Done = (inv: InvoiceDoc) => void;

// A basis shown on its own page is stored, so its id is set (only a build's preview has none).
function useStep(id: InvoiceDoc['id'], step: 'send' | 'dispute' | 'decision', body: () => unknown, onDone: Done, onConflict: () => void) {
  const send = useCallback(
    async (key: string) => {
      const b = body();
      if (b instanceof FieldErrors) throw b;
      try {
        return await postStep(id as number, step, b as object, key);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) onConflict();
        throw e;
      }
    },
    [id, step, body, onConflict],
  );
  const sub = useSubmit(send);
  const run = async () => {
    const out = await sub.run();
    if (out) onDone(out);
  };
  return { ...sub, run };
}

function SendForm(p: { inv: InvoiceDoc; onDone: Done; onConflict: () => void }) {
  const [reason, setReason] = useState('');
  const body = useCallback(() => (reason.trim() ? { reason: reason.trim() } : {}), [reason]);
  const sub = useStep(p.inv.id, 'send', body, p.onDone, p.onConflict);
  const F = 'invoice-send';
  return (
    <FormShell id={F} title={t('send_title')} fields={['reason']} error={sub.error} busy={sub.busy} submitLabel={t('send_button')} onSubmit={sub.run}>
      <TextArea form={F} name="reason" label={t('send_reason')} value={reason} onValue={setReason} error={sub.error} maxLength={1000} />
    </FormShell>
  );
}

function DisputeForm(p: { inv: InvoiceDoc; onDone: Done; onConflict: () => void }) {
  const [scope, setScope] = useState<'whole' | 'lines'>('lines');
  const [picked, setPicked] = useState<number[]>([]);
  const [reason, setReason] = useState('');
  const body = useCallback(() => {
    if (scope === 'lines' && picked.length === 0) return new FieldErrors({ lines: t('dispute_pick_lines') });
    return { reason, lines: scope === 'lines' ? picked : [] };
  }, [scope, picked, reason]);
  const sub = useStep(p.inv.id, 'dispute', body, p.onDone, p.onConflict);
  const F = 'invoice-dispute';
  const linesMsg = groupError(sub.error, 'lines');
  const toggle = (ep: number, on: boolean) => setPicked((xs) => (on ? [...xs.filter((x) => x !== ep), ep] : xs.filter((x) => x !== ep)));
  return (
    <FormShell
      id={F}
      title={t('dispute_title')}
      fields={['reason', 'lines', 'scope']}
      error={sub.error}
      busy={sub.busy}
      submitLabel={t('dispute_button')}
      onSubmit={sub.run}
    >
      <RadioGroup
        form={F}
        name="scope"
        legend={t('dispute_scope')}
        value={scope}
        onValue={(v) => setScope(v as 'whole' | 'lines')}
        options={[
          { value: 'lines', label: t('dispute_some') },
          { value: 'whole', label: t('dispute_whole') },
        ]}
        error={sub.error}
      />
      {scope === 'lines' ? (
        <fieldset class={'field inv-group' + (linesMsg ? ' field-invalid' : '')} id={fieldId(F, 'lines')}>
          <legend>{t('dispute_lines')}</legend>
          {p.inv.lines.map((l, i) => {
            const id = `${fieldId(F, 'lines')}-${l.episode}`;
            return (
              <div class="field-check" key={l.episode}>
                <input
                  type="checkbox"
                  id={id}
                  value={String(l.episode)}
                  data-episode={l.episode}
                  checked={picked.includes(l.episode)}
                  aria-invalid={linesMsg && i === 0 ? 'true' : undefined}
                  aria-describedby={linesMsg ? fieldId(F, 'lines') + '-err' : undefined}
                  onChange={(e) => toggle(l.episode, (e.currentTarget as HTMLInputElement).checked)}
                />
                <label for={id}>
                  {l.patient_name} ({l.personnummer}), {l.nights} {t('nights_range')}, {kronor(l.amount_ore)}
                </label>
              </div>
            );
          })}
          <GroupError form={F} name="lines" error={sub.error} />
        </fieldset>
      ) : null}
      <TextArea
        form={F}
        name="reason"
        label={t('dispute_reason')}
        hint={t('dispute_reason_hint')}
        value={reason}
        onValue={setReason}
        error={sub.error}
        required
        maxLength={1000}
      />
    </FormShell>
  );
}

function DecisionForm(p: { inv: InvoiceDoc; onDone: Done; onConflict: () => void }) {
  const disputed = disputedLines(p.inv) ?? [];
  const lines = p.inv.lines.filter((l) => disputed.length === 0 || disputed.includes(l.episode));
  const [outcome, setOutcome] = useState('');
  const [reason, setReason] = useState('');
  const [amounts, setAmounts] = useState<Record<number, string>>(() =>
    Object.fromEntries(lines.map((l) => [l.episode, kronorPlain(l.amount_ore)])),
  );
  const body = useCallback(() => {
    const b: Record<string, unknown> = { reason };
    if (outcome) b.outcome = outcome;
    if (outcome === 'adjusted') {
      const bad: Record<string, string> = {};
      const adj = lines.map((l, i) => {
        const ore = parseKronor(amounts[l.episode] ?? '');
        if (ore === null) bad[`adjustments[${i}]`] = t('bad_kronor');
        return { episode: l.episode, amount_ore: ore ?? 0 };
      });
      if (Object.keys(bad).length) return new FieldErrors(bad);
      b.adjustments = adj;
    }
    return b;
  }, [outcome, reason, amounts, lines]);
  const sub = useStep(p.inv.id, 'decision', body, p.onDone, p.onConflict);
  const F = 'invoice-decision';
  const adjMsg = groupError(sub.error, 'adjustments');
  return (
    <FormShell
      id={F}
      title={t('decision_title')}
      fields={['reason', 'outcome', 'adjustments']}
      error={sub.error}
      busy={sub.busy}
      submitLabel={t('decision_button')}
      onSubmit={sub.run}
    >
      <RadioGroup
        form={F}
        name="outcome"
        legend={t('decision_outcome')}
        value={outcome}
        onValue={setOutcome}
        options={codeList('invoice_outcome').map((o) => ({ value: o, label: codeLabel('invoice_outcome_choice', o) }))}
        error={sub.error}
      />
      {outcome === 'adjusted' ? (
        <fieldset class={'field inv-group' + (adjMsg ? ' field-invalid' : '')} id={fieldId(F, 'adjustments')}>
          <legend>{t('decision_amounts')}</legend>
          <div class="grid-fields">
            {lines.map((l, i) => (
              <TextInput
                key={l.episode}
                form={F}
                name={`adjustments[${i}]`}
                label={`${t('decision_amount_for')}: ${l.patient_name}`}
                hint={`${t('decision_amount_of')} ${kronor(l.amount_ore)} (${l.nights} ${t('nights_range')})`}
                value={amounts[l.episode] ?? ''}
                onValue={(v) => setAmounts((o) => ({ ...o, [l.episode]: v }))}
                inputMode="text"
                error={sub.error}
              />
            ))}
          </div>
          <GroupError form={F} name="adjustments" error={sub.error} />
        </fieldset>
      ) : null}
      <TextArea form={F} name="reason" label={t('decision_reason')} value={reason} onValue={setReason} error={sub.error} required maxLength={1000} />
    </FormShell>
  );
}

function Actions(p: { inv: InvoiceDoc; side: Side; onDone: Done; onConflict: () => void }) {
  const { inv, side } = p;
  let body: ComponentChildren = null;
  if (side === 'region' && inv.state === 'draft') body = <SendForm inv={inv} onDone={p.onDone} onConflict={p.onConflict} />;
  else if (side === 'region' && inv.state === 'disputed') body = <DecisionForm inv={inv} onDone={p.onDone} onConflict={p.onConflict} />;
  else if (side === 'municipality' && inv.state === 'sent') body = <DisputeForm inv={inv} onDone={p.onDone} onConflict={p.onConflict} />;
  else {
    const text =
      inv.state === 'decided'
        ? t('actions_none_decided')
        : inv.state === 'superseded'
          ? t('actions_none_superseded')
          : side === 'region'
            ? t('actions_none_region_sent')
            : t('actions_none_municipality');
    body = <p class="empty">{text}</p>;
  }
  return (
    <section class="card card-attention" aria-labelledby="invoice-actions-h" id="invoice-actions" data-state={inv.state}>
      <h2 id="invoice-actions-h">{t('actions_title')}</h2>
      {body}
    </section>
  );
}

// ---- the page ----

export function Invoice(p: { me: Session; id: string }) {
  const side = sideOf(p.me);
  const [inv, setInv] = useState<InvoiceDoc | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [review, setReview] = useState<Review | null>(null);
  const [reviewError, setReviewError] = useState<unknown>(null);
  const [agreements, setAgreements] = useState<Map<string, AgreementDoc>>(new Map());
  const [said, setSaid] = useState('');

  const loadReview = useCallback(() => {
    setReview(null);
    setReviewError(null);
    get<Review>(`/api/v1/invoices/${p.id}/review`)
      .then(setReview)
      .catch(setReviewError);
  }, [p.id]);

  const load = useCallback(() => {
    get<InvoiceDoc>(`/api/v1/invoices/${p.id}`)
      .then((d) => {
        setInv(d);
        setError(null);
      })
      .catch(setError);
    loadReview();
  }, [p.id, loadReview]);

  useEffect(() => {
    setInv(null);
    load();
  }, [load]);

  // The agreements that judged the lines: their grace days and counting explain each line.
  const agreementKeys = inv
    ? [...new Set([agreementKey(inv.agreement, inv.agreement_version), ...inv.lines.map((l) => agreementKey(l.agreement, l.agreement_version))])]
        .filter((k) => !k.startsWith('@'))
        .sort()
        .join(',')
    : '';
  useEffect(() => {
    if (!agreementKeys) return undefined;
    let live = true;
    Promise.all(
      agreementKeys.split(',').map((k) => {
        const [id, version] = k.split('@');
        return get<AgreementAnswer>(`/api/v1/agreements/${encodeURIComponent(id)}?version=${version}`)
          .then((a) => [k, a.document] as const)
          .catch(() => null);
      }),
    ).then((rows) => {
      if (live) setAgreements(new Map(rows.filter((r): r is readonly [string, AgreementDoc] => r !== null)));
    });
    return () => {
      live = false;
    };
  }, [agreementKeys]);

  if (error && !inv) {
    const nf = error instanceof ApiError && (error.status === 404 || error.status === 403);
    return (
      <div class="card" data-testid="invoice-missing">
        <h1 tabIndex={-1}>{nf ? t('invoice_missing') : t('error_generic')}</h1>
        {nf ? null : <ErrorBox error={error} />}
        <p>
          <Link href="/invoices">{t('back_to_list')}</Link>
        </p>
      </div>
    );
  }
  if (!inv) return <Loading />;

  const done: Done = (next) => {
    setInv(next);
    setSaid(`${t('step_done')} ${t('state')}: ${codeLabel('invoice_state', next.state)}`);
    loadReview();
  };

  return (
    <div class="invoice" data-invoice={inv.id} data-state={inv.state}>
      <p class="inv-back">
        <Link href={`/invoices?month=${inv.month}`}>← {t('back_to_list')}</Link>
      </p>
      <Header inv={inv} agreements={agreements} />
      <p class="sr-only" role="status" aria-live="polite">
        {said}
      </p>
      <Actions inv={inv} side={side} onDone={done} onConflict={load} />
      <Lines inv={inv} agreements={agreements} />
      <Exclusions inv={inv} />
      <AverageSettlement inv={inv} />
      <div class="inv-grid">
        <Trail inv={inv} />
        <ReviewSection inv={inv} review={review} error={reviewError} />
      </div>
    </div>
  );
}
