// Start.tsx - the start page of every role: its worklist (GET /api/v1/worklist),
// refreshed by ETag polling. New notices can be acknowledged right here.
import { useState } from 'preact/hooks';
import { request, usePoll, type BulkAckResult, type EpisodeRow, type PendingNotice, type Session, type Worklist } from '../api';
import { EpisodeTable, ErrorBox, Link, Loading, Section } from '../components/common';
import { errorMessage } from '../components/fields';
import { codeLabel, fill, formatClock, formatInstant, t } from '../i18n';
import { roleMaySend } from '../rules';
import { unitName } from '../state';

function AckButton(p: { n: PendingNotice; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const label = `${t('acknowledge')}: ${codeLabel('event', p.n.type)}, ${p.n.patient.name}`;
  return (
    <>
      <button
        type="button"
        class="btn btn-primary btn-small"
        disabled={busy}
        aria-label={label}
        onClick={async () => {
          if (busy) return;
          setBusy(true);
          setErr(null);
          try {
            // The acknowledgement is keyed by episode, notice and unit: a double click or a
            // retry after a lost answer is recognised by the server and stored once.
            await request('POST', `/api/v1/episodes/${p.n.episode_id}/acknowledgements`, {
              body: { seq: p.n.seq },
              idempotencyKey: `ack-${p.n.episode_id}-${p.n.seq}-${p.n.unit}`,
            });
            p.onDone();
          } catch (e) {
            setErr(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? t('saving') : t('acknowledge')}
      </button>
      {err ? (
        <p class="field-error" role="alert">
          {errorMessage(err)}
        </p>
      ) : null}
    </>
  );
}

const NOTICE_TYPES = ['admission_notice', 'ready_for_discharge', 'expected_date_changed', 'ready_withdrawn'];
const PAGE = 25;

/** The ward's patients with the most left to do first, then the longest stays. */
function byTodo(rows: EpisodeRow[]): EpisodeRow[] {
  return [...rows].sort(
    (a, b) => (b.todo?.length ?? 0) - (a.todo?.length ?? 0) || (a.admitted_at ?? '').localeCompare(b.admitted_at ?? ''),
  );
}

const noticeKey = (n: PendingNotice) => `${n.episode_id}-${n.seq}-${n.unit}`;

/** Acknowledges the selected notices in one request (POST /api/v1/acknowledgements). */
function AckSelected(p: { items: PendingNotice[]; onDone: () => void; onClear: () => void }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<BulkAckResult | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const failed = outcome ? outcome.results.filter((r) => r.status !== 201) : [];
  return (
    <div class="bulk-ack">
      <button
        type="button"
        class="btn btn-primary btn-small"
        id="ack-selected"
        disabled={busy || p.items.length === 0}
        onClick={async () => {
          if (busy || p.items.length === 0) return;
          setBusy(true);
          setErr(null);
          setOutcome(null);
          try {
            const r = await request<BulkAckResult>('POST', '/api/v1/acknowledgements', {
              body: { items: p.items.map((n) => ({ episode_id: n.episode_id, seq: n.seq })) },
            });
            setOutcome(r.data);
            p.onClear();
            p.onDone();
          } catch (e) {
            setErr(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? t('saving') : fill(t('ack_selected'), { n: p.items.length })}
      </button>
      <p class="meta" role="status" aria-live="polite">
        {outcome && outcome.acknowledged > 0 ? fill(t('ack_selected_done'), { n: outcome.acknowledged }) : ''}
      </p>
      {failed.length > 0 ? (
        <div class="field-error" role="alert">
          {fill(t('ack_selected_failed'), { n: failed.length })}
          <ul>
            {failed.map((r) => (
              <li key={`${r.episode_id}-${r.seq}`}>
                {r.episode_id}/{r.seq}: {r.detail ?? r.code}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {err ? (
        <p class="field-error" role="alert">
          {errorMessage(err)}
        </p>
      ) : null}
    </div>
  );
}

function Notices(p: {
  wl: Worklist;
  canAck: boolean;
  onDone: () => void;
  type: string;
  setType: (t: string) => void;
  offset: number;
  setOffset: (o: number) => void;
}) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const items = p.wl.new_notices; // newest first, as the server sends them
  const total = p.wl.new_notices_total ?? items.length;
  const chosen = items.filter((n) => selected.has(noticeKey(n)));
  const toggle = (k: string) => {
    const next = new Set(selected);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    setSelected(next);
  };
  const allOnPage = items.length > 0 && items.every((n) => selected.has(noticeKey(n)));
  return (
    <>
      <div class="notice-tools">
        <label>
          {t('notices_filter')}{' '}
          <select
            id="notice-type"
            value={p.type}
            onChange={(e) => {
              setSelected(new Set());
              p.setType((e.target as HTMLSelectElement).value);
            }}
          >
            <option value="">{t('notices_filter_all')}</option>
            {NOTICE_TYPES.map((c) => (
              <option key={c} value={c}>
                {codeLabel('event', c)}
              </option>
            ))}
          </select>
        </label>
        {p.canAck && items.length > 0 ? (
          <AckSelected items={chosen} onDone={p.onDone} onClear={() => setSelected(new Set())} />
        ) : null}
      </div>
      {items.length === 0 ? (
        <p class="empty">{t('new_notices_none')}</p>
      ) : (
        <div class="table-wrap">
          <table class="stack">
            <caption class="sr-only">{t('new_notices')}</caption>
            <thead>
              <tr>
                {p.canAck ? (
                  <th scope="col">
                    <input
                      type="checkbox"
                      id="select-all-notices"
                      aria-label={t('select_all_notices')}
                      checked={allOnPage}
                      onChange={() => setSelected(allOnPage ? new Set() : new Set(items.map(noticeKey)))}
                    />
                  </th>
                ) : null}
                <th scope="col">{t('col_patient')}</th>
                <th scope="col">{t('col_message')}</th>
                <th scope="col">{t('col_sent')}</th>
                <th scope="col">{t('col_ward')}</th>
                <th scope="col">{t('col_unit')}</th>
                <th scope="col">
                  <span class="sr-only">{t('col_action')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((n) => (
                <tr key={noticeKey(n)} data-episode={n.episode_id} data-notice={n.type} data-seq={n.seq}>
                  {p.canAck ? (
                    <td class="stack-action">
                      <input
                        type="checkbox"
                        class="select-notice"
                        aria-label={`${t('select_notice')}: ${codeLabel('event', n.type)}, ${n.patient.name}`}
                        checked={selected.has(noticeKey(n))}
                        onChange={() => toggle(noticeKey(n))}
                      />
                    </td>
                  ) : null}
                  <th scope="row">
                    <Link href={`/episodes/${n.episode_id}`}>{n.patient.name}</Link>
                    <span class="pnr">{n.patient.personnummer}</span>
                  </th>
                  <td data-label={t('col_message')}>{codeLabel('event', n.type)}</td>
                  <td data-label={t('col_sent')}>{formatInstant(n.sent_at)}</td>
                  <td data-label={t('col_ward')}>{unitName(n.ward)}</td>
                  <td data-label={t('col_unit')}>{unitName(n.unit)}</td>
                  <td class="stack-action">{p.canAck ? <AckButton n={n} onDone={p.onDone} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > 0 ? (
        <nav class="pager" aria-label={t('notices_pager')}>
          <span id="notices-range">
            {fill(t('notices_page'), { from: p.offset + 1, to: p.offset + items.length, total })}
          </span>{' '}
          <button
            type="button"
            class="btn btn-small"
            id="notices-prev"
            disabled={p.offset === 0}
            onClick={() => {
              setSelected(new Set());
              p.setOffset(Math.max(0, p.offset - PAGE));
            }}
          >
            {t('notices_prev')}
          </button>{' '}
          <button
            type="button"
            class="btn btn-small"
            id="notices-next"
            disabled={p.offset + items.length >= total}
            onClick={() => {
              setSelected(new Set());
              p.setOffset(p.offset + PAGE);
            }}
          >
            {t('notices_next')}
          </button>
        </nav>
      ) : null}
    </>
  );
}

export function Start(p: { me: Session }) {
  const reads = !['analyst', 'admin'].includes(p.me.user.role);
  const [type, setType] = useState('');
  const [offset, setOffset] = useState(0);
  const query = `limit=${PAGE}&offset=${offset}` + (type ? `&notice_type=${type}` : '');
  const wl = usePoll<Worklist>(reads ? `/api/v1/worklist?${query}` : null);
  const canAck = roleMaySend(p.me.user.role, 'acknowledged');
  const unitNames = p.me.units.map((u) => u.name).join(', ');

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>
          {t('start_title')} <span class="sub">{unitNames}</span>
        </h1>
        {reads ? (
          <p class="meta" aria-live="off">
            {t('auto_refresh')} {wl.updatedAt ? `${t('updated_at')} ${formatClock(wl.updatedAt)}.` : ''}
          </p>
        ) : null}
      </div>
      {!reads ? (
        <p class="card">{t('no_worklist_role')}</p>
      ) : wl.error && !wl.data ? (
        <ErrorBox error={wl.error} />
      ) : !wl.data ? (
        <Loading />
      ) : (
        <div class="worklist">
          {wl.error ? <ErrorBox error={wl.error} /> : null}
          <Section id="wl-new" title={t('new_notices')} count={wl.data.new_notices_total} tone="attention">
            <Notices
              wl={wl.data}
              canAck={canAck}
              onDone={wl.refresh}
              type={type}
              setType={(v) => {
                setType(v);
                setOffset(0);
              }}
              offset={offset}
              setOffset={setOffset}
            />
          </Section>
          <Section id="wl-overdue" title={t('overdue')} count={wl.data.overdue.length} tone="danger">
            <EpisodeTable
              rows={wl.data.overdue}
              columns={['ward', 'status', 'deadlines']}
              caption={t('overdue')}
              empty={t('overdue_none')}
            />
          </Section>
          <Section id="wl-today" title={t('deadlines_today')} count={wl.data.deadlines_due_today.length} tone="warning">
            <EpisodeTable
              rows={wl.data.deadlines_due_today}
              columns={['ward', 'status', 'deadlines']}
              caption={t('deadlines_today')}
              empty={t('deadlines_today_none')}
            />
          </Section>
          {wl.data.admitted && p.me.units.some((u) => u.kind === 'ward') ? (
            <Section id="wl-admitted" title={t('admitted_list')} count={wl.data.admitted.length}>
              <EpisodeTable
                rows={byTodo(wl.data.admitted)}
                columns={['status', 'expected', 'todo']}
                caption={t('admitted_list')}
                empty={t('admitted_list_none')}
              />
            </Section>
          ) : null}
          <Section id="wl-ready" title={t('ready_waiting')} count={wl.data.ready_waiting.length}>
            <EpisodeTable
              rows={wl.data.ready_waiting}
              columns={['ward', 'municipality', 'track', 'ready']}
              caption={t('ready_waiting')}
              empty={t('ready_waiting_none')}
            />
          </Section>
          <Section id="wl-discharged" title={t('recently_discharged')} count={wl.data.recently_discharged.length}>
            <EpisodeTable
              rows={wl.data.recently_discharged}
              columns={['ward', 'municipality', 'discharged']}
              caption={t('recently_discharged')}
              empty={t('recently_discharged_none')}
            />
          </Section>
        </div>
      )}
    </>
  );
}
