// common.tsx - small shared pieces: links that route without reloading,
// badges (status, track colour, deadline state: always text, never colour
// alone), the table of episode rows used by the worklist, the lists and the
// search, and the loading/error boxes.
import type { ComponentChildren } from 'preact';
import type { EpisodeRow, Liability } from '../api';
import { codeLabel, formatDate, formatInstant, lang, plural, t } from '../i18n';
import { kronor } from '../invoices';
import { municipalityLabel, navigate, unitName } from '../state';
import { errorMessage } from './fields';

export function Link(p: { href: string; children: ComponentChildren; class?: string; 'aria-label'?: string }) {
  return (
    <a
      href={p.href}
      class={p.class}
      aria-label={p['aria-label']}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(p.href);
      }}
    >
      {p.children}
    </a>
  );
}

export function StatusBadge(p: { status: string }) {
  return <span class={`badge status-${p.status}`}>{codeLabel('status', p.status)}</span>;
}

export function TrackBadge(p: { colour: string | null | undefined }) {
  if (!p.colour)
    return (
      <span class="badge track-none">
        {t('track')}: {t('track_none').toLowerCase()}
      </span>
    );
  return (
    <span class={`badge track-${p.colour}`}>
      <span class="dot" aria-hidden="true" />
      {codeLabel('colour', p.colour)}
    </span>
  );
}

export function DeadlineBadge(p: { state: string }) {
  return <span class={`badge dl-${p.state}`}>{codeLabel('deadline_state', p.state)}</span>;
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t('loading')}
    </p>
  );
}

export function ErrorBox(p: { error: unknown }) {
  return (
    <div class="error-box" role="alert">
      {errorMessage(p.error)}
    </div>
  );
}

export function Section(p: { id: string; title: string; count?: number; children: ComponentChildren; tone?: string }) {
  return (
    <section class={'card' + (p.tone ? ' card-' + p.tone : '')} aria-labelledby={p.id + '-h'} id={p.id}>
      <h2 id={p.id + '-h'}>
        {p.title}
        {p.count !== undefined ? <span class="count">{p.count}</span> : null}
      </h2>
      {p.children}
    </section>
  );
}

export type Column = 'ward' | 'municipality' | 'status' | 'deadlines' | 'ready' | 'expected' | 'admitted' | 'discharged' | 'track' | 'todo';

/** One table of episode rows; the patient's name links to the episode page. */
/** Liability so far in a few words: who pays, the nights and the amount (figures from the server's core). */
export function LiabilityBrief(p: { l: Liability | undefined }) {
  const l = p.l;
  if (!l) return <>–</>;
  if (l.average_model) return <span class="meta">{t('liability_average')}</span>;
  if (!l.counted) return <>–</>;
  const figures = <span class="figures">{`${plural(l.nights, 'night_one', 'night_many')} · ${kronor(l.amount_ore)}`}</span>;
  if (l.billing !== 'billable')
    return (
      <span class="liability not-billable">
        <span class="badge">{t('liability_not_billable')}</span> {lang.get() === 'sv' ? l.billing_sv : l.billing_en}
        {l.nights > 0 ? <span class="meta"> ({figures})</span> : null}
      </span>
    );
  if (l.liable)
    return (
      <span class="liability liable">
        <span class="badge liable-badge">{t('liability_liable')}</span> {figures}
      </span>
    );
  return l.nights > 0 ? <span class="liability">{figures}</span> : <span class="meta">{t('liability_in_grace')}</span>;
}

/** A worklist row's care process: hemgångsklar or not (ready patients), then what is still to do. */
function CareCell(p: { row: EpisodeRow }) {
  const c = p.row.care;
  if (!c) return null;
  const todos = c.todos.filter((x) => x.code !== 'municipality_not_ready');
  return (
    <>
      {p.row.status === 'ready' ? (
        <span class={c.municipality_ready ? 'badge status-ready' : 'badge'} data-municipality-ready={String(c.municipality_ready)}>
          {c.municipality_ready ? t('municipality_ready_to_receive') : t('municipality_not_ready_yet')}
          {!c.municipality_ready && c.can_receive_on ? ` (${t('can_receive_on').toLowerCase()} ${formatDate(c.can_receive_on)})` : ''}
        </span>
      ) : null}
      {c.legal_form ? <span class="badge">{c.legal_form.toUpperCase()}</span> : null}
      {todos.length ? (
        <ul class="plain todos">
          {todos.map((x) => (
            <li key={x.code} data-todo={x.code} class="late">
              {lang.get() === 'sv' ? x.sv : x.en}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

export function EpisodeTable(p: { rows: EpisodeRow[]; columns: Column[]; caption: string; empty: string }) {
  if (p.rows.length === 0) return <p class="empty">{p.empty}</p>;
  // The day liability starts comes from the agreement in force, which only the server knows:
  // the column appears once the API sends `liability_from` on the rows.
  const liability = p.rows.some((r) => r.liability_from !== undefined || r.liability !== undefined);
  const soFar = p.rows.some((r) => r.liability !== undefined);
  // the care process from the fold (issue 14, 18.3): to-dos and whether the municipality is ready
  const care = p.rows.some((r) => r.care !== undefined);
  const has = (c: Column) => p.columns.includes(c);
  return (
    <div class="table-wrap">
      <table class="stack">
        <caption class="sr-only">{p.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('col_patient')}</th>
            {has('ward') ? <th scope="col">{t('col_ward')}</th> : null}
            {has('municipality') ? <th scope="col">{t('col_municipality')}</th> : null}
            {has('status') ? <th scope="col">{t('col_status')}</th> : null}
            {has('track') ? <th scope="col">{t('col_track')}</th> : null}
            {has('admitted') ? <th scope="col">{t('col_admitted')}</th> : null}
            {has('expected') ? <th scope="col">{t('col_expected')}</th> : null}
            {has('deadlines') ? <th scope="col">{t('col_deadline')}</th> : null}
            {has('ready') ? <th scope="col">{t('col_ready_since')}</th> : null}
            {has('ready') ? <th scope="col">{t('col_ready_days')}</th> : null}
            {has('ready') && liability ? <th scope="col">{t('col_liability_from')}</th> : null}
            {has('ready') && soFar ? <th scope="col">{t('col_liability_so_far')}</th> : null}
            {has('discharged') ? <th scope="col">{t('col_discharged')}</th> : null}
            {has('todo') ? <th scope="col">{t('col_todo')}</th> : null}
            {care ? <th scope="col">{t('care_process')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr key={r.id} data-episode={r.id} class={r.liability?.liable ? 'liable' : undefined}>
              <th scope="row">
                <Link href={`/episodes/${r.id}`}>{r.patient.name || `#${r.id}`}</Link>
                <span class="pnr">{r.patient.personnummer}</span>
              </th>
              {has('ward') ? <td data-label={t('col_ward')}>{unitName(r.ward)}</td> : null}
              {has('municipality') ? <td data-label={t('col_municipality')}>{municipalityLabel(r.municipality)}</td> : null}
              {has('status') ? (
                <td data-label={t('col_status')}>
                  <StatusBadge status={r.status} />
                </td>
              ) : null}
              {has('track') ? (
                <td data-label={t('col_track')}>
                  <TrackBadge colour={r.track} />
                </td>
              ) : null}
              {has('admitted') ? <td data-label={t('col_admitted')}>{formatInstant(r.admitted_at)}</td> : null}
              {has('expected') ? <td data-label={t('col_expected')}>{formatDate(r.expected_discharge_date, true)}</td> : null}
              {has('deadlines') ? (
                <td data-label={t('col_deadline')}>
                  <ul class="plain">
                    {r.open_deadlines.map((d) => (
                      <li key={d.kind} class={d.overdue ? 'late' : ''}>
                        {codeLabel('deadline', d.kind)}: {formatInstant(d.due_at)}
                        {d.overdue ? <span class="badge dl-overdue">{codeLabel('deadline_state', 'overdue')}</span> : null}
                      </li>
                    ))}
                  </ul>
                </td>
              ) : null}
              {has('ready') ? <td data-label={t('col_ready_since')}>{formatInstant(r.ready_at)}</td> : null}
              {has('ready') ? <td class="num" data-label={t('col_ready_days')}>{r.ready_days ?? '–'}</td> : null}
              {has('ready') && liability ? (
                <td data-label={t('col_liability_from')}>{formatDate(r.liability?.liable_from ?? r.liability_from ?? null, true)}</td>
              ) : null}
              {has('ready') && soFar ? (
                <td data-liability data-label={t('col_liability_so_far')}>
                  <LiabilityBrief l={r.liability} />
                </td>
              ) : null}
              {has('discharged') ? <td data-label={t('col_discharged')}>{formatInstant(r.discharged_at)}</td> : null}
              {has('todo') ? (
                <td data-todo data-label={t('col_todo')}>
                  {r.todo && r.todo.length > 0 ? (
                    <ul class="plain">
                      {r.todo.map((c) => (
                        <li key={c} class="todo" data-code={c}>
                          {codeLabel('todo', c)}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span class="meta">{t('todo_none')}</span>
                  )}
                </td>
              ) : null}
              {care ? (
                <td data-care data-label={t('care_process')}>
                  <CareCell row={r} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
