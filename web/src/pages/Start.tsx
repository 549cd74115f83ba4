// Start.tsx - the start page of every role: its worklist (GET /api/v1/worklist),
// refreshed by ETag polling. New notices can be acknowledged right here.
import { useState } from 'preact/hooks';
import { request, usePoll, type PendingNotice, type Session, type Worklist } from '../api';
import { EpisodeTable, ErrorBox, Link, Loading, Section } from '../components/common';
import { errorMessage } from '../components/fields';
import { codeLabel, formatClock, formatInstant, t } from '../i18n';
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

function Notices(p: { items: PendingNotice[]; canAck: boolean; onDone: () => void }) {
  if (p.items.length === 0) return <p class="empty">{t('new_notices_none')}</p>;
  const items = [...p.items].sort((a, b) => (a.sent_at < b.sent_at ? 1 : a.sent_at > b.sent_at ? -1 : 0)); // newest first
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">{t('new_notices')}</caption>
        <thead>
          <tr>
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
            <tr key={`${n.episode_id}-${n.seq}-${n.unit}`} data-episode={n.episode_id} data-notice={n.type}>
              <th scope="row">
                <Link href={`/episodes/${n.episode_id}`}>{n.patient.name}</Link>
                <span class="pnr">{n.patient.personnummer}</span>
              </th>
              <td>{codeLabel('event', n.type)}</td>
              <td>{formatInstant(n.sent_at)}</td>
              <td>{unitName(n.ward)}</td>
              <td>{unitName(n.unit)}</td>
              <td>{p.canAck ? <AckButton n={n} onDone={p.onDone} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Start(p: { me: Session }) {
  const reads = !['analyst', 'admin'].includes(p.me.user.role);
  const wl = usePoll<Worklist>(reads ? '/api/v1/worklist' : null);
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
          <Section id="wl-new" title={t('new_notices')} count={wl.data.new_notices.length} tone="attention">
            <Notices items={wl.data.new_notices} canAck={canAck} onDone={wl.refresh} />
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
