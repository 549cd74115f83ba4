// Episode.tsx - one episode (GET /api/v1/episodes/{id}, polled with ETags):
// the patient header, the state at a glance, the deadlines, the recipients
// with their acknowledgements, one timeline of every event, and the event
// forms the user's role and units may send (rules.ts).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request, usePoll, type ApiEvent, type EpisodeView, type Party, type Session } from '../api';
import { DeadlineBadge, ErrorBox, LiabilityBrief, Link, Loading, StatusBadge, TrackBadge } from '../components/common';
import { EventForm } from '../components/EventForm';
import { errorMessage } from '../components/fields';
import { SurveyStaff } from '../components/SurveyStaff';
import { actionLabel, codeLabel, formatClock, formatDate, formatInstant, lang, t } from '../i18n';
import { cancellable, cancelledSeqs, offeredForms, roleMaySend } from '../rules';
import { municipalityLabel, orgName, unitName } from '../state';

const NOTICE_TYPES = new Set(['admission_notice', 'expected_date_changed', 'ready_for_discharge', 'ready_withdrawn', 'discharged']);

function Fact(p: { label: string; children: ComponentChildren; id?: string }) {
  return (
    <div class="fact" data-fact={p.id}>
      <dt>{p.label}</dt>
      <dd>{p.children}</dd>
    </div>
  );
}

function PatientHeader(p: { view: EpisodeView }) {
  const st = p.view.episode;
  const pt = st.patient;
  return (
    <section class="card patient" aria-labelledby="patient-h">
      <div class="patient-top">
        <h1 id="patient-h" tabIndex={-1}>
          {pt.name ?? `#${st.id}`}
        </h1>
        <span class="pnr-big">{pt.personnummer}</span>
        <StatusBadge status={st.status} />
        <TrackBadge colour={st.track?.colour} />
        {st.on_leave ? <span class="badge status-leave">{t('on_leave')}</span> : null}
      </div>
      <dl class="facts">
        <Fact label={t('age')}>{pt.age !== undefined ? `${pt.age} ${t('years')}` : '–'}</Fact>
        <Fact label={t('registered_municipality')}>{municipalityLabel(pt.registered_municipality)}</Fact>
        <Fact label={t('primary_care_unit')}>{unitName(pt.primary_care_unit)}</Fact>
        <Fact label={t('address')} id="address">
          {pt.address_hidden ? <span class="protected">{t('address_hidden')}</span> : pt.address || '–'}
        </Fact>
      </dl>
    </section>
  );
}

function Overview(p: { view: EpisodeView }) {
  const st = p.view.episode;
  const history = [...(st.date_history ?? [])].reverse();
  return (
    <section class="card" aria-labelledby="overview-h">
      <h2 id="overview-h">{t('episode_title')}</h2>
      <dl class="facts">
        <Fact label={t('ward')}>{unitName(st.ward)}</Fact>
        <Fact label={t('care_type')}>{codeLabel('care_type', st.care_type)}</Fact>
        <Fact label={t('admitted_at')}>{formatInstant(st.admitted_at)}</Fact>
        <Fact label={t('expected_date')} id="expected">
          <strong>{formatDate(st.expected_discharge_date, true)}</strong>
          {st.date_changes > 0 ? (
            <span class="meta">
              {' '}
              ({st.date_changes} {t('date_changes')})
            </span>
          ) : null}
          {history.length > 1 ? (
            <details class="history">
              <summary>{t('expected_history')}</summary>
              <ol class="plain">
                {history.map((h) => (
                  <li key={h.seq + h.date}>
                    {formatDate(h.date, true)} <span class="meta">({formatInstant(h.changed_at)})</span>
                  </li>
                ))}
              </ol>
            </details>
          ) : null}
        </Fact>
        {st.ready_at || st.status === 'ready' ? (
          <Fact label={t('col_ready_since')}>{formatInstant(st.ready_at)}</Fact>
        ) : null}
        {st.ready_days !== undefined && (st.ready_days > 0 || st.status === 'ready') ? (
          <Fact label={t('ready_days')}>{st.ready_days}</Fact>
        ) : null}
        <Fact label={t('care_contact')} id="care_contact">
          {st.care_contact ? (
            <>
              {st.care_contact.name}
              {st.care_contact.title ? `, ${st.care_contact.title}` : ''}
              {st.care_contact.phone ? `, ${st.care_contact.phone}` : ''}
              <span class="meta"> ({unitName(st.care_contact.unit)})</span>
            </>
          ) : (
            '–'
          )}
        </Fact>
        <Fact label={t('sip')} id="sip">
          {st.sip.held_at ? (
            `${t('sip_held_at')} ${formatInstant(st.sip.held_at)} ${codeLabel('place', st.sip.held_place)}`
          ) : st.sip.meeting_at ? (
            `${t('sip_called_for')} ${formatInstant(st.sip.meeting_at)} ${codeLabel('place', st.sip.place)}`
          ) : (
            '–'
          )}
        </Fact>
        {st.sip.held_at ? (
          <Fact label={t('sip_actions')} id="sip_plan">
            <span class="meta">{(st.sip.participants ?? []).map((x) => codeLabel('sip_party', x)).join(', ')}</span>
            {(st.sip.actions ?? []).length > 0 ? (
              <ul class="plain sip-actions">
                {(st.sip.actions ?? []).map((a, i) => (
                  <li key={i} data-action={i}>
                    {a.what} – {codeLabel('sip_party', a.responsible)}, {formatDate(a.due)}
                  </li>
                ))}
              </ul>
            ) : null}
            {st.sip.follow_up_date ? (
              <div>
                {t('follow_up_date')}: {formatDate(st.sip.follow_up_date, true)}
              </div>
            ) : null}
            <a href={`/api/v1/episodes/${st.id}/sip.pdf`} target="_blank" rel="noopener" data-testid="sip-pdf">
              {t('sip_pdf')}
            </a>
          </Fact>
        ) : null}
        {st.municipality_ready_at ? (
          <Fact label={codeLabel('event', 'municipality_ready')}>
            {formatInstant(st.municipality_ready_at)} <span class="meta">({orgName(st.municipality_ready_org)})</span>
          </Fact>
        ) : null}
        {st.discharged_at ? (
          <Fact label={t('discharged_to')}>
            {codeLabel('destination', st.destination)} <span class="meta">({formatInstant(st.discharged_at)})</span>
          </Fact>
        ) : null}
      </dl>
    </section>
  );
}

/** Liability where it runs: from which night the municipality pays, and so far (issue 18). */
function LiabilityCard(p: { view: EpisodeView }) {
  const l = p.view.liability;
  if (!l || (!l.counted && !l.average_model && !l.agreement)) return null;
  return (
    <section class={`card${l.liable ? ' liable' : ''}`} aria-labelledby="liability-h" data-testid="liability">
      <h2 id="liability-h">{t('liability_title')}</h2>
      {!l.agreement ? (
        <p>{t('liability_none')}</p>
      ) : l.average_model ? (
        <p>{t('liability_average')}</p>
      ) : (
        <dl class="facts">
          <Fact label={t('liability_pays_from')} id="liable_from">
            <strong>{formatDate(l.liable_from, true)}</strong>
          </Fact>
          <Fact label={t('liability_so_far')} id="liability_so_far">
            <LiabilityBrief l={l} />
          </Fact>
          <Fact label={t('liability_agreement')} id="agreement">
            {l.agreement.name} <span class="meta">({l.agreement.id}, v{l.agreement.version})</span>
          </Fact>
        </dl>
      )}
    </section>
  );
}

function Deadlines(p: { view: EpisodeView }) {
  return (
    <section class="card" aria-labelledby="deadlines-h">
      <h2 id="deadlines-h">{t('deadlines')}</h2>
      <ul class="deadlines plain">
        {p.view.deadlines.map((d) => (
          <li key={d.kind} data-deadline={d.kind} data-state={d.state}>
            <span class="dl-name">{codeLabel('deadline', d.kind)}</span>
            <DeadlineBadge state={d.state} />
            <span class="meta">
              {d.met_at
                ? `${t('deadline_met')} ${formatInstant(d.met_at)}`
                : d.due_at
                  ? `${t('deadline_due')} ${formatInstant(d.due_at)}`
                  : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Consent per party (organisation): the latest record of each; declined or withdrawn stops information to it. */
function Consents(p: { view: EpisodeView }) {
  const list = p.view.episode.consents ?? [];
  return (
    <section class="card" aria-labelledby="consents-h" data-testid="consents">
      <h2 id="consents-h">{t('consents_title')}</h2>
      {list.length === 0 ? (
        <p class="empty">{t('consents_none')}</p>
      ) : (
        <ul class="plain consents">
          {list.map((k) => {
            const blocked = k.state === 'declined' || k.state === 'withdrawn';
            return (
              <li key={k.org} data-org={k.org} data-state={k.state} class={blocked ? 'consent-blocked' : 'consent-ok'}>
                <strong>{orgName(k.org)}</strong>: {codeLabel('consent_state', k.state)}{' '}
                <span class="meta">
                  ({codeLabel('consent_how', k.how)}, {formatInstant(k.at)})
                </span>
                {blocked ? <span class="badge status-cancelled"> {t('consent_blocked')}</span> : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** A note of the care process (to-do or warning) in the current language. */
function noteText(n: { sv: string; en: string }): string {
  return lang.get() === 'sv' ? n.sv : n.en;
}

/**
 * The care process (issue 14 items 1, 3, 4, 7; issue 18 items 3, 4): what is still to do, the samordnad
 * vårdplan of LPT/LRV, the municipality's steps and plan, the discharge step's checklist (a missing item is a
 * deviation), and children as relatives — visible to every party.
 */
function CareProcess(p: { view: EpisodeView }) {
  const st = p.view.episode;
  const todos = st.todos ?? [];
  const warnings = st.discharge_warnings ?? [];
  const m = st.municipal;
  const ds = st.discharge_step;
  const when = (x: string | null | undefined) => (x ? formatInstant(x) : '–');
  return (
    <section class="card" aria-labelledby="care-h" data-testid="care-process">
      <h2 id="care-h">{t('care_process')}</h2>
      {todos.length > 0 ? (
        <div data-testid="care-todos">
          <h3>{t('care_todos')}</h3>
          <ul class="plain todos">
            {todos.map((x) => (
              <li key={x.code} data-todo={x.code} class="badge overdue">
                {noteText(x)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {warnings.length > 0 && st.status !== 'discharged' ? (
        <p class="warning" data-testid="care-warnings">
          <strong>{t('discharge_warnings')}:</strong> {warnings.map(noteText).join(' ')}
        </p>
      ) : null}
      <dl class="facts">
        <Fact label={t('children_as_relatives')} id="children_as_relatives">
          {st.children_as_relatives ? t('yes') : t('no')}
        </Fact>
        {st.legal_form ? (
          <Fact label={t('care_plan')} id="care_plan">
            <div>{codeLabel('legal_form', st.legal_form)}</div>
            <div>
              {t('care_plan_called_at')}: {when(st.care_plan?.called_at)}
              {st.care_plan?.meeting_at ? ` (${formatInstant(st.care_plan.meeting_at)})` : ''}
            </div>
            <div>
              {t('care_plan_established_at')}: {when(st.care_plan?.established_at)}
            </div>
            <div>
              {t('chief_physician_applied_at')}: {when(st.care_plan?.chief_physician_applied_at)}
            </div>
          </Fact>
        ) : null}
        {m ? (
          <Fact label={t('municipal_steps')} id="municipal">
            <div>
              {t('municipal_report_at')}: {when(m.report_at)}
            </div>
            <div>
              {t('municipal_contact_at')}: {when(m.contact_at)}
            </div>
            <div>
              {t('municipal_application_at')}: {when(m.application_at)}
            </div>
            <div data-testid="municipal-decision">
              {t('municipal_decision_at')}: {when(m.decision_at)}
              {m.decision_outcome
                ? ` – ${codeLabel('decision_outcome', m.decision_outcome)}` +
                  (m.decision_services.length ? `: ${m.decision_services.map((x) => codeLabel('service', x)).join(', ')}` : '')
                : ''}
            </div>
            <div data-testid="municipal-plan">
              {t('municipal_plan_at')}: {when(m.plan_at)}
              {m.can_receive_on ? ` – ${t('can_receive_on')} ${formatDate(m.can_receive_on, true)}` : ''}
              {m.short_term_care ? ` (${t('short_term_care_first')})` : ''}
              {m.plan_services.length ? `: ${m.plan_services.map((x) => codeLabel('service', x)).join(', ')}` : ''}
            </div>
            <div>
              {t('home_care_started_at')}: {when(m.home_care_started_at)}
            </div>
            {m.ready_to_receive !== undefined ? (
              <div class={m.ready_to_receive ? 'badge status-ready' : 'badge'} data-testid="municipality-ready">
                {m.ready_to_receive ? t('municipality_ready_to_receive') : t('municipality_not_ready_yet')}
              </div>
            ) : null}
          </Fact>
        ) : null}
        {ds ? (
          <Fact label={t('discharge_step')} id="discharge_step">
            <div data-testid="items-sent">
              {t('items_sent')}: {ds.items.length ? ds.items.map((x) => codeLabel('discharge_item', x)).join(', ') : '–'}
            </div>
            {st.status === 'discharged' && ds.missing.length ? (
              <div class="field-error" data-testid="items-missing">
                {t('items_missing')}: {ds.missing.map((x) => codeLabel('discharge_item', x)).join(', ')}
              </div>
            ) : null}
            <div>
              {t('patient_informed_at')}: {when(ds.patient_informed_at)}
            </div>
            <div>
              {t('responsibility_taken_over_at')}: {when(ds.responsibility_taken_over_at)}
            </div>
          </Fact>
        ) : null}
      </dl>
    </section>
  );
}

/** Who a notice went to: its own recipients, or (empty list) everyone the admission notices went to. */
function noticeRecipients(e: ApiEvent, view: EpisodeView): string[] {
  const own = (e.recipients as Party[] | undefined) ?? [];
  if (own.length > 0) return own.map((r) => r.unit);
  return (view.episode.notice?.recipients ?? []).map((r) => r.unit);
}

function AckButton(p: { episode: number; seq: number; unit: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  return (
    <>
      <button
        type="button"
        class="btn btn-primary btn-small"
        disabled={busy}
        onClick={async () => {
          if (busy) return;
          setBusy(true);
          setErr(null);
          try {
            await request('POST', `/api/v1/episodes/${p.episode}/acknowledgements`, {
              body: { seq: p.seq },
              idempotencyKey: `ack-${p.episode}-${p.seq}-${p.unit}`,
            });
            p.onDone();
          } catch (e) {
            setErr(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? t('saving') : `${t('acknowledge')} (${unitName(p.unit)})`}
      </button>
      {err ? (
        <span class="field-error" role="alert">
          {errorMessage(err)}
        </span>
      ) : null}
    </>
  );
}

function Details(p: { e: ApiEvent; view: EpisodeView }) {
  const e = p.e;
  const rows: [string, ComponentChildren][] = [];
  switch (e.type) {
    case 'admitted':
    case 'transferred':
      rows.push([t('ward'), unitName(e.ward as string)], [t('care_type'), codeLabel('care_type', e.care_type as string)]);
      break;
    case 'admission_notice':
      rows.push([t('expected_date'), formatDate(e.expected_discharge_date as string, true)]);
      if (e.reason && e.reason !== 'unstated') rows.push([t('admission_reason'), codeLabel('admission_reason', e.reason as string)]);
      if (e.address) rows.push([t('registered_address'), e.address as string]);
      if (e.need_judged_at) rows.push([t('need_judged_at'), formatInstant(e.need_judged_at as string)]);
      break;
    case 'expected_date_changed':
      rows.push([t('expected_date'), formatDate(e.expected_discharge_date as string, true)]);
      break;
    case 'acknowledged': {
      const target = p.view.events.find((x) => x.seq === e.ack_seq);
      rows.push([codeLabel('event', 'acknowledged'), `#${e.ack_seq} ${target ? codeLabel('event', target.type) : ''}`]);
      break;
    }
    case 'info_requested':
      rows.push([t('to_unit'), unitName((e.to as Party | undefined)?.unit)]);
      break;
    case 'info_replied':
      rows.push([t('reply_to'), `#${e.reply_to_seq}`]);
      break;
    case 'consent_recorded':
      rows.push(
        [t('consent_state'), codeLabel('consent_state', e.state as string)],
        [t('consent_scope'), e.scope as string],
        [t('consent_how'), codeLabel('consent_how', e.how as string)],
      );
      break;
    case 'track_set':
      rows.push([t('colour'), <TrackBadge colour={e.colour as string} />]);
      break;
    case 'care_contact_appointed':
      rows.push([t('name'), [e.name, e.title, e.phone].filter(Boolean).join(', ')]);
      break;
    case 'sip_called':
      rows.push([t('meeting_at'), formatInstant(e.meeting_at as string)], [t('place'), codeLabel('place', e.place as string)]);
      break;
    case 'sip_held':
      rows.push([t('held_at'), formatInstant(e.held_at as string)], [t('place'), codeLabel('place', e.place as string)]);
      if (e.follow_up_date) rows.push([t('follow_up_date'), formatDate(e.follow_up_date as string, true)]);
      if (Array.isArray(e.participants) && e.participants.length > 0)
        rows.push([t('sip_participants'), (e.participants as string[]).map((x) => codeLabel('sip_party', x)).join(', ')]);
      for (const [i, a] of ((e.actions as { what: string; responsible: string; due: string }[] | undefined) ?? []).entries())
        rows.push([`${t('sip_action_what')} ${i + 1}`, `${a.what} – ${codeLabel('sip_party', a.responsible)}, ${formatDate(a.due)}`]);
      break;
    case 'discharged':
      rows.push([t('destination'), codeLabel('destination', e.destination as string)]);
      break;
    case 'deviation':
      rows.push([t('category'), codeLabel('category', e.category as string)], [t('against_org'), orgName(e.against_org as string)]);
      break;
    case 'cancelled': {
      const target = p.view.events.find((x) => x.seq === e.cancels_seq);
      rows.push([t('cancels'), `#${e.cancels_seq} ${target ? codeLabel('event', target.type) : ''}`]);
      break;
    }
  }
  if (e.corrects_seq) rows.push([t('correction_of'), `#${e.corrects_seq}`]);
  if (rows.length === 0 && !e.note) return null;
  return (
    <dl class="ev-details">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
      {e.note ? (
        <div class="ev-note">
          <dt>{t('note')}</dt>
          <dd>{e.note}</dd>
        </div>
      ) : null}
    </dl>
  );
}

function Timeline(p: { view: EpisodeView; me: Session; onChanged: () => void; onCancel: (seq: number) => void }) {
  const { events } = p.view;
  const gone = cancelledSeqs(events);
  const corrected = new Set(events.filter((e) => e.corrects_seq).map((e) => e.corrects_seq));
  const acks = events.filter((e) => e.type === 'acknowledged' && !gone.has(e.seq));
  const myUnits = new Set(p.me.user.units);
  const canAck = roleMaySend(p.me.user.role, 'acknowledged');
  const mayCancel = new Set(cancellable(events, p.me.user.role, p.me.units).map((e) => e.seq));
  const shown = [...events].reverse();
  if (events.length === 0) return <p class="empty">{t('timeline_empty')}</p>;
  return (
    <ol class="timeline" aria-label={t('timeline')}>
      {shown.map((e) => {
        const isNotice = NOTICE_TYPES.has(e.type) && !gone.has(e.seq);
        const to = isNotice ? noticeRecipients(e, p.view) : [];
        const ackOf = (unit: string) =>
          acks.find((a) => a.author.unit === unit && (a.ack_seq === e.seq || a.ack_seq === e.corrects_seq));
        return (
          <li
            key={e.seq}
            class={`ev ev-${e.type}` + (gone.has(e.seq) ? ' ev-cancelled' : '')}
            data-type={e.type}
            data-seq={e.seq}
          >
            <div class="ev-head">
              <span class="ev-title">{codeLabel('event', e.type)}</span>
              {gone.has(e.seq) ? <span class="badge status-cancelled">{t('cancelled_mark')}</span> : null}
              {corrected.has(e.seq) ? <span class="badge status-corrected">{t('corrected_mark')}</span> : null}
              <span class="ev-seq" aria-label={`nr ${e.seq}`}>
                #{e.seq}
              </span>
            </div>
            <p class="ev-meta">
              <time dateTime={e.occurred_at}>{formatInstant(e.occurred_at)}</time> {t('by')}{' '}
              <span class="ev-author">{unitName(e.author.unit)}</span>
              {e.author.user ? <span class="meta"> ({e.author.user})</span> : null}
            </p>
            <Details e={e} view={p.view} />
            {to.length > 0 ? (
              <div class="acks">
                <span class="acks-label">{t('acks')}:</span>
                <ul class="plain">
                  {to.map((unit) => {
                    const a = ackOf(unit);
                    return (
                      <li key={unit} class={a ? 'ack-done' : 'ack-missing'} data-unit={unit}>
                        <span class="ack-mark" aria-hidden="true">
                          {a ? '✓' : '○'}
                        </span>{' '}
                        {unitName(unit)}:{' '}
                        {a ? (
                          <span class="ack-who">
                            {`${t('acknowledged')} ${formatInstant(a.occurred_at)}`}
                            {a.author.user ? ` ${t('by')} ${a.author.user}` : ''}
                          </span>
                        ) : (
                          t('ack_missing')
                        )}{' '}
                        {!a && canAck && myUnits.has(unit) ? (
                          <AckButton episode={p.view.episode.id} seq={e.seq} unit={unit} onDone={p.onChanged} />
                        ) : null}
                      </li>
                    );
                  })}
                </ul>
              </div>
            ) : null}
            {mayCancel.has(e.seq) ? (
              <button type="button" class="btn btn-small btn-quiet" onClick={() => p.onCancel(e.seq)}>
                {t('cancel_event')} #{e.seq}
              </button>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

function Actions(p: {
  view: EpisodeView;
  me: Session;
  open: { type: string; preset?: Record<string, string> } | null;
  setOpen: (o: { type: string; preset?: Record<string, string> } | null) => void;
  onDone: () => void;
}) {
  const forms = offeredForms(p.me.user.role, p.me.units, p.view.episode, p.view.events);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (p.open) panel.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, [p.open?.type, p.open?.preset?.cancels_seq]);
  if (forms.length === 0 && !p.open) return <p class="empty">{t('actions_none')}</p>;
  return (
    <div>
      <div class="action-buttons" role="group" aria-label={t('actions')}>
        {forms.map((type) => (
          <button
            key={type}
            type="button"
            data-form={type}
            class={'btn' + (p.open?.type === type ? ' btn-active' : '')}
            aria-expanded={p.open?.type === type ? 'true' : 'false'}
            aria-controls="event-form-panel"
            onClick={() => p.setOpen(p.open?.type === type ? null : { type })}
          >
            {actionLabel(type)}
          </button>
        ))}
      </div>
      <div id="event-form-panel" ref={panel}>
        {p.open ? (
          <EventForm
            key={p.open.type + (p.open.preset?.cancels_seq ?? '')}
            type={p.open.type}
            preset={p.open.preset}
            view={p.view}
            me={p.me}
            onClose={() => p.setOpen(null)}
            onDone={() => {
              p.setOpen(null);
              p.onDone();
            }}
          />
        ) : null}
      </div>
    </div>
  );
}

export function Episode(p: { id: string; me: Session }) {
  const poll = usePoll<EpisodeView>(`/api/v1/episodes/${encodeURIComponent(p.id)}`);
  const [open, setOpen] = useState<{ type: string; preset?: Record<string, string> } | null>(null);
  const [announce, setAnnounce] = useState('');
  const lastChanges = useRef(0);
  const selfChange = useRef(false);
  useEffect(() => {
    // Open the admission notice form right away on a fresh admission with no notice yet.
    const v = poll.data;
    if (v && !open && v.episode.status === 'admitted' && !v.episode.notice?.recipients?.length) {
      if (offeredForms(p.me.user.role, p.me.units, v.episode, v.events).includes('admission_notice'))
        setOpen({ type: 'admission_notice' });
    }
  }, [poll.data?.episode.id]);
  useEffect(() => {
    if (poll.changes > lastChanges.current) {
      lastChanges.current = poll.changes;
      if (selfChange.current) selfChange.current = false;
      else setAnnounce(t('updated_live'));
    }
  }, [poll.changes]);

  if (poll.error && !poll.data) {
    const nf = poll.error instanceof ApiError && poll.error.status === 404;
    return (
      <div class="card" data-testid="episode-missing">
        <h1 tabIndex={-1}>{nf ? t('episode_not_found') : t('error_generic')}</h1>
        {nf ? null : <ErrorBox error={poll.error} />}
        <p>
          <Link href="/">{t('back_to_start')}</Link>
        </p>
      </div>
    );
  }
  if (!poll.data) return <Loading />;
  const view = poll.data;
  const changed = () => {
    selfChange.current = true;
    setAnnounce(t('sent_ok'));
    void poll.refresh();
  };
  return (
    <div class="episode" data-episode={view.episode.id}>
      <PatientHeader view={view} />
      <p class="meta live" aria-live="polite" role="status">
        {announce} {poll.updatedAt ? `${t('updated_at')} ${formatClock(poll.updatedAt)}.` : ''}
      </p>
      {poll.error ? <ErrorBox error={poll.error} /> : null}
      <div class="episode-grid">
        <div class="col-main">
          <section class="card" aria-labelledby="actions-h">
            <h2 id="actions-h">{t('actions')}</h2>
            <Actions view={view} me={p.me} open={open} setOpen={setOpen} onDone={changed} />
          </section>
          <section class="card" aria-labelledby="timeline-h">
            <h2 id="timeline-h">
              {t('timeline')} <span class="count">{view.events.length}</span>
            </h2>
            <Timeline
              view={view}
              me={p.me}
              onChanged={changed}
              onCancel={(seq) => {
                setOpen({ type: 'cancelled', preset: { cancels_seq: String(seq) } });
                document.getElementById('actions-h')?.scrollIntoView({ block: 'start' });
              }}
            />
          </section>
        </div>
        <div class="col-side">
          <Overview view={view} />
          <LiabilityCard view={view} />
          <Deadlines view={view} />
          <CareProcess view={view} />
          <Consents view={view} />
          {view.episode.status === 'discharged' && !view.episode.cancelled ? <SurveyStaff episodeId={view.episode.id} status={view.survey} /> : null}
        </div>
      </div>
    </div>
  );
}
