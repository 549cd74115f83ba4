// EventForm.tsx - one form per event type of design.md §1, sent to
// POST /api/v1/episodes/{id}/events with an Idempotency-Key (api.ts useSubmit).
//
// Each type is a row of FORMS: its fields (names are the API's JSON members,
// so a problem's `field` lands next to the right control) and how the body is
// built. Every form also has the time it happened (default: now, as a
// Stockholm wall-clock time, which the API reads as Europe/Stockholm) and a
// note. Empty optional members are left out (the API treats absent as empty).
import { useCallback, useMemo, useState } from 'preact/hooks';
import { request, useSubmit, type AppendResult, type EpisodeState, type EpisodeView, type Session, type Unit } from '../api';
import { actionLabel, codeLabel, codeList, formatInstant, lang, nowLocalInput, t, todayLocal, type Key } from '../i18n';
import { episodeParties, openRequestsTo } from '../rules';
import { directory, unitName } from '../state';
import { Checkbox, FormShell, Select, TextArea, TextInput, errorFor, fieldId, missingRequired } from './fields';

type Values = Record<string, string>;
type Opt = { value: string; label: string; group?: string };

interface Ctx {
  view: EpisodeView;
  me: Session;
  units: Map<string, Unit>;
}

interface FieldDef {
  name: string;
  label: Key;
  kind: 'text' | 'date' | 'datetime-local' | 'tel' | 'select' | 'codeset' | 'checkbox';
  codes?: string; // codeset: the code table whose codes are ticked (sent as an array)
  required?: boolean;
  options?: (c: Ctx) => Opt[];
  initial?: (c: Ctx) => string;
  maxLength?: number;
}

interface FormDef {
  fields: FieldDef[];
  /** A note is expected (a reason): shown as required, though the API takes it as optional. */
  noteRequired?: boolean;
  hint?: Key;
  build?: (v: Values) => Record<string, unknown>;
}

const codeOptions = (table: string) => () => codeList(table).map((c) => ({ value: c, label: codeLabel(table, c) }));

function wardOptions(c: Ctx): Opt[] {
  return [...c.units.values()]
    .filter((u) => u.kind === 'ward')
    .map((u) => ({ value: u.id, label: u.name, group: u.hospital ?? '' }));
}

/** The other parties of the episode (for information requests). */
function partyOptions(c: Ctx): Opt[] {
  const mine = new Set(c.me.user.units);
  return [...episodeParties(c.view.episode, c.view.events)]
    .filter((id) => !mine.has(id))
    .map((id) => ({ value: id, label: unitName(id) }));
}

/** Organisations a deviation can concern: the parties' organisations first, then every other. */
function orgOptions(c: Ctx): Opt[] {
  const partyOrgs = new Set<string>();
  for (const id of episodeParties(c.view.episode, c.view.events)) {
    const u = c.units.get(id);
    if (u) partyOrgs.add(u.organisation);
  }
  const all = [...directory.get().orgs.values()];
  const first = all.filter((o) => partyOrgs.has(o.code)).map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }));
  const rest = all
    .filter((o) => !partyOrgs.has(o.code))
    .map((o) => ({ value: o.code, label: `${o.name} (${o.code})`, group: '–' }));
  return [...first, ...rest];
}

function requestOptions(c: Ctx): Opt[] {
  return openRequestsTo(c.view.events, new Set(c.me.user.units)).map((e) => ({
    value: String(e.seq),
    label: `#${e.seq} ${formatInstant(e.occurred_at)} – ${unitName(e.author.unit)}${e.note ? ': ' + e.note.slice(0, 60) : ''}`,
  }));
}

/** The usual recipients of an admission notice: the patient's primary care unit and the municipality's units. */
export function suggestedRecipients(st: EpisodeState, units: Map<string, Unit>): string[] {
  const s: string[] = [];
  if (st.patient.primary_care_unit && units.has(st.patient.primary_care_unit)) s.push(st.patient.primary_care_unit);
  for (const u of units.values())
    if ((u.kind === 'municipal_social' || u.kind === 'municipal_health') && u.municipality === st.patient.registered_municipality)
      s.push(u.id);
  return s;
}

const int = (s: string) => (s === '' ? undefined : Number(s));

/** Rows of actions (who does what, by when) offered on the SIP form; the API takes up to 8. */
const SIP_ACTION_ROWS = [0, 1, 2];

/** The SIP's participants ticked by default: the patient and the author's own kind of party. */
function defaultParticipants(c: Ctx): string {
  const kinds = new Set(c.me.units.map((u) => u.kind));
  const own = ['primary_care', 'specialist_outpatient', 'municipal_social', 'municipal_health'].filter((k) => kinds.has(k));
  return ['patient', ...own].join(',');
}

/** Participants of a SIP and its actions: who does what, by when (issue 14). */
function SipContent(p: { form: string; values: Values; set: (name: string) => (v: string) => void; error: unknown }) {
  const chosen = new Set((p.values.participants ?? '').split(',').filter(Boolean));
  const toggle = (code: string, on: boolean) => {
    const next = codeList('sip_party').filter((c) => (c === code ? on : chosen.has(c)));
    p.set('participants')(next.join(','));
  };
  const msg = errorFor(p.error, 'participants');
  return (
    <>
      <fieldset class={'field participants' + (msg ? ' field-invalid' : '')}>
        <legend>
          {t('sip_participants')}
          <span class="req" aria-hidden="true">
            {' '}
            *
          </span>
        </legend>
        {codeList('sip_party').map((code) => (
          <Checkbox
            key={code}
            form={p.form}
            name={`participant-${code}`}
            label={codeLabel('sip_party', code)}
            checked={chosen.has(code)}
            onChecked={(on) => toggle(code, on)}
          />
        ))}
        {msg ? (
          <p class="field-error" id={fieldId(p.form, 'participants') + '-err'} data-field="participants">
            {msg}
          </p>
        ) : null}
      </fieldset>
      <fieldset class="field sip-actions">
        <legend>{t('sip_actions')}</legend>
        <p class="hint">{t('sip_actions_hint')}</p>
        {SIP_ACTION_ROWS.map((i) => (
          <div class="grid-fields" key={i} data-action={i}>
            <TextInput
              form={p.form}
              name={`actions[${i}].what`}
              type="text"
              label={`${t('sip_action_what')} ${i + 1}`}
              maxLength={255}
              value={p.values[`actions[${i}].what`] ?? ''}
              onValue={p.set(`actions[${i}].what`)}
              error={p.error}
            />
            <Select
              form={p.form}
              name={`actions[${i}].responsible`}
              label={t('sip_action_responsible')}
              value={p.values[`actions[${i}].responsible`] ?? ''}
              onValue={p.set(`actions[${i}].responsible`)}
              options={codeList('sip_party').map((c) => ({ value: c, label: codeLabel('sip_party', c) }))}
              placeholder={t('choose')}
              error={p.error}
            />
            <TextInput
              form={p.form}
              name={`actions[${i}].due`}
              type="date"
              label={t('sip_action_due')}
              value={p.values[`actions[${i}].due`] ?? ''}
              onValue={p.set(`actions[${i}].due`)}
              error={p.error}
            />
          </div>
        ))}
      </fieldset>
    </>
  );
}

export const FORMS: Record<string, FormDef> = {
  admission_notice: {
    fields: [
      { name: 'expected_discharge_date', label: 'expected_discharge_date', kind: 'date', required: true, initial: () => todayLocal(5) },
      { name: 'need_judged_at', label: 'need_judged_at', kind: 'datetime-local' },
      { name: 'reason', label: 'admission_reason', kind: 'select', required: true, options: codeOptions('admission_reason') },
      {
        name: 'address',
        label: 'registered_address',
        kind: 'text',
        maxLength: 255,
        initial: (c) => (c.view.episode.patient.address_hidden ? '' : (c.view.episode.patient.address ?? '')),
      },
    ],
    hint: 'registered_address_hint',
  },
  expected_date_changed: {
    fields: [
      {
        name: 'expected_discharge_date',
        label: 'expected_discharge_date',
        kind: 'date',
        required: true,
        initial: (c) => c.view.episode.expected_discharge_date ?? todayLocal(1),
      },
    ],
  },
  transferred: {
    fields: [
      { name: 'ward', label: 'new_ward', kind: 'select', required: true, options: wardOptions },
      { name: 'care_type', label: 'care_type', kind: 'select', required: true, options: codeOptions('care_type') },
    ],
  },
  info_requested: {
    fields: [{ name: 'to', label: 'to_unit', kind: 'select', required: true, options: partyOptions }],
    noteRequired: true,
    build: (v) => ({ to: v.to ? { unit: v.to } : undefined }),
  },
  info_replied: {
    fields: [{ name: 'reply_to_seq', label: 'reply_to', kind: 'select', required: true, options: requestOptions }],
    noteRequired: true,
    build: (v) => ({ reply_to_seq: int(v.reply_to_seq) }),
  },
  consent_recorded: {
    fields: [
      { name: 'state', label: 'consent_state', kind: 'select', required: true, options: codeOptions('consent_state'), initial: () => 'given' },
      { name: 'scope', label: 'consent_scope', kind: 'text', required: true, initial: () => 'care_planning', maxLength: 47 },
      { name: 'how', label: 'consent_how', kind: 'select', required: true, options: codeOptions('consent_how'), initial: () => 'verbal' },
    ],
  },
  track_set: {
    fields: [
      {
        name: 'colour',
        label: 'colour',
        kind: 'select',
        required: true,
        options: codeOptions('colour'),
        initial: (c) => c.view.episode.track?.colour ?? '',
      },
    ],
  },
  care_contact_appointed: {
    fields: [
      { name: 'name', label: 'name', kind: 'text', required: true, maxLength: 127 },
      { name: 'title', label: 'title_role', kind: 'text', maxLength: 127 },
      { name: 'phone', label: 'phone', kind: 'tel', maxLength: 31 },
    ],
  },
  sip_called: {
    fields: [
      { name: 'meeting_at', label: 'meeting_at', kind: 'datetime-local', required: true, initial: () => todayLocal(2) + 'T13:00' },
      { name: 'place', label: 'place', kind: 'select', required: true, options: codeOptions('place'), initial: () => 'home' },
    ],
  },
  sip_held: {
    fields: [
      { name: 'held_at', label: 'held_at', kind: 'datetime-local', required: true, initial: () => nowLocalInput(-60) },
      { name: 'place', label: 'place', kind: 'select', required: true, options: codeOptions('place'), initial: (c) => c.view.episode.sip.place ?? 'home' },
      { name: 'follow_up_date', label: 'follow_up_date', kind: 'date', required: true, initial: () => todayLocal(30) },
    ],
    build: (v) => ({
      held_at: v.held_at || undefined,
      place: v.place || undefined,
      follow_up_date: v.follow_up_date || undefined,
      participants: (v.participants ?? '').split(',').filter(Boolean),
      actions: SIP_ACTION_ROWS.map((i) => ({
        what: v[`actions[${i}].what`] ?? '',
        responsible: v[`actions[${i}].responsible`] ?? '',
        due: v[`actions[${i}].due`] ?? '',
      }))
        .filter((a) => a.what.trim() !== '')
        .map((a) => ({ what: a.what.trim(), responsible: a.responsible || undefined, due: a.due || undefined })),
    }),
  },
  ready_for_discharge: { fields: [], hint: 'ready_recipients_note', build: () => ({ recipients: [] }) },
  ready_withdrawn: { fields: [], noteRequired: true },
  municipality_ready: { fields: [] },
  discharged: {
    fields: [
      { name: 'destination', label: 'destination', kind: 'select', required: true, options: codeOptions('destination'), initial: () => 'own_home' },
    ],
  },
  deviation: {
    fields: [
      { name: 'category', label: 'category', kind: 'select', required: true, options: codeOptions('category') },
      { name: 'against_org', label: 'against_org', kind: 'select', required: true, options: orgOptions },
    ],
    noteRequired: true,
  },
  cancelled: {
    fields: [{ name: 'cancels_seq', label: 'cancels', kind: 'text', required: true }],
    noteRequired: true,
    build: (v) => ({ cancels_seq: int(v.cancels_seq) }),
  },
  leave_started: { fields: [] },
  leave_ended: { fields: [] },
  // issue 14.1: the legal form and the samordnad vårdplan
  legal_form_set: {
    fields: [{ name: 'legal_form', label: 'legal_form', kind: 'select', required: true, options: codeOptions('legal_form') }],
  },
  care_plan_called: {
    fields: [
      { name: 'meeting_at', label: 'meeting_at', kind: 'datetime-local', required: true, initial: () => todayLocal(2) + 'T13:00' },
      { name: 'place', label: 'place', kind: 'select', required: true, options: codeOptions('place'), initial: () => 'hospital' },
    ],
  },
  care_plan_established: {
    fields: [{ name: 'follow_up_date', label: 'follow_up_date', kind: 'date', initial: () => todayLocal(30) }],
  },
  chief_physician_applied: { fields: [] },
  // issue 14.3 and 18.3: the municipality's own steps and plan
  municipal_report_received: { fields: [] },
  municipal_patient_contacted: { fields: [] },
  municipal_application_received: { fields: [] },
  municipal_decision: {
    fields: [
      { name: 'outcome', label: 'outcome', kind: 'select', required: true, options: codeOptions('decision_outcome'), initial: () => 'granted' },
      { name: 'services', label: 'services', kind: 'codeset', codes: 'service' },
    ],
    build: (v) => ({ outcome: v.outcome || undefined, services: codes(v.services) }),
  },
  municipal_plan: {
    fields: [
      { name: 'can_receive_on', label: 'can_receive_on', kind: 'date', required: true, initial: () => todayLocal(1) },
      { name: 'short_term_care', label: 'short_term_care_first', kind: 'checkbox' },
      { name: 'services', label: 'services', kind: 'codeset', codes: 'service' },
    ],
    build: (v) => ({
      can_receive_on: v.can_receive_on || undefined,
      short_term_care: v.short_term_care === 'true',
      services: codes(v.services),
    }),
  },
  home_care_started: { fields: [] },
  // issue 14.4: the discharge step; what is not ticked is a deviation
  information_transferred: {
    fields: [{ name: 'items', label: 'checklist', kind: 'codeset', codes: 'discharge_item' }],
    hint: 'items_missing',
    build: (v) => ({ items: codes(v.items) }),
  },
  patient_informed: { fields: [] },
  responsibility_taken_over: { fields: [] },
  // issue 14.7
  children_as_relatives_recorded: {
    fields: [{ name: 'children_as_relatives', label: 'children_as_relatives', kind: 'checkbox', initial: () => 'true' }],
    build: (v) => ({ children_as_relatives: v.children_as_relatives === 'true' }),
  },
};

/** The codes of a comma-joined codeset value. */
function codes(v: string | undefined): string[] {
  return (v ?? '').split(',').filter(Boolean);
}

/** A set of codes as checkboxes (services, checklist items); the value is the ticked codes, comma-joined. */
function CodeSet(p: { form: string; name: string; label: string; table: string; value: string; onValue: (v: string) => void; error: unknown }) {
  const chosen = new Set(codes(p.value));
  const msg = errorFor(p.error, p.name);
  return (
    <fieldset class={'field codeset' + (msg ? ' field-invalid' : '')} data-codeset={p.name}>
      <legend>{p.label}</legend>
      {codeList(p.table).map((code) => (
        <Checkbox
          key={code}
          form={p.form}
          name={`${p.name}-${code}`}
          label={codeLabel(p.table, code)}
          checked={chosen.has(code)}
          onChecked={(on) => p.onValue(codeList(p.table).filter((c) => (c === code ? on : chosen.has(c))).join(','))}
        />
      ))}
      {msg ? (
        <p class="field-error" id={fieldId(p.form, p.name) + '-err'} data-field={p.name}>
          {msg}
        </p>
      ) : null}
    </fieldset>
  );
}

/** The recipients of an admission notice: suggested units ticked, any other unit can be added. */
function Recipients(p: { form: string; ctx: Ctx; value: string[]; onValue: (v: string[]) => void; error: unknown }) {
  const { episode } = p.ctx.view;
  const units = p.ctx.units;
  const suggested = useMemo(() => suggestedRecipients(episode, units), [episode, units]);
  const extras = p.value.filter((id) => !suggested.includes(id));
  const [pick, setPick] = useState('');
  const addable = [...units.values()]
    .filter((u) => ['primary_care', 'specialist_outpatient', 'municipal_social', 'municipal_health'].includes(u.kind))
    .filter((u) => !p.value.includes(u.id) && !suggested.includes(u.id))
    .map((u) => ({ value: u.id, label: u.name, group: codeLabel('unit_kind', u.kind) }));
  const msg = errorFor(p.error, 'recipients');
  const toggle = (id: string, on: boolean) => p.onValue(on ? [...p.value, id] : p.value.filter((x) => x !== id));
  return (
    <fieldset class={'field recipients' + (msg ? ' field-invalid' : '')} aria-describedby={msg ? fieldId(p.form, 'recipients') + '-err' : undefined}>
      <legend>
        {t('recipients')}
        <span class="req" aria-hidden="true">
          {' '}
          *
        </span>
      </legend>
      <p class="hint">{t('recipients_suggested')}</p>
      {suggested.map((id) => (
        <Checkbox
          key={id}
          form={p.form}
          name={`rcpt-${id}`}
          label={`${unitName(id)} (${codeLabel('unit_kind', units.get(id)?.kind)})`}
          checked={p.value.includes(id)}
          onChecked={(on) => toggle(id, on)}
        />
      ))}
      {extras.map((id) => (
        <div class="chip" key={id}>
          <span>{unitName(id)}</span>
          <button type="button" class="btn btn-small" onClick={() => toggle(id, false)} aria-label={`${t('remove')}: ${unitName(id)}`}>
            {t('remove')}
          </button>
        </div>
      ))}
      <div class="add-row">
        <Select
          form={p.form}
          name="recipient-add"
          label={t('recipients_add')}
          value={pick}
          onValue={setPick}
          options={addable}
          placeholder={t('choose')}
        />
        <button
          type="button"
          class="btn"
          disabled={!pick}
          onClick={() => {
            if (pick) p.onValue([...p.value, pick]);
            setPick('');
          }}
        >
          {t('add')}
        </button>
      </div>
      {msg ? (
        <p class="field-error" id={fieldId(p.form, 'recipients') + '-err'} data-field="recipients">
          {msg}
        </p>
      ) : null}
    </fieldset>
  );
}

export function EventForm(p: {
  type: string;
  view: EpisodeView;
  me: Session;
  preset?: Values;
  onDone: (r: AppendResult) => void;
  onClose: () => void;
}) {
  const def = FORMS[p.type];
  const units = directory.get().units;
  const ctx: Ctx = { view: p.view, me: p.me, units };
  const formId = `form-${p.type}`;
  const [values, setValues] = useState<Values>(() => {
    const v: Values = { occurred_at: nowLocalInput(), note: '' };
    for (const f of def.fields) v[f.name] = f.initial ? f.initial(ctx) : '';
    if (p.type === 'transferred') v.care_type = '';
    if (p.type === 'sip_held') v.participants = defaultParticipants(ctx);
    return { ...v, ...(p.preset ?? {}) };
  });
  const [recipients, setRecipients] = useState<string[]>(() => suggestedRecipients(p.view.episode, units));
  const set = (name: string) => (v: string) =>
    setValues((old) => {
      const next = { ...old, [name]: v };
      // a transfer takes the new ward's care type unless the user chose one
      if (p.type === 'transferred' && name === 'ward') next.care_type = units.get(v)?.care_type ?? old.care_type;
      return next;
    });

  const send = useCallback(
    async (key: string) => {
      const body: Record<string, unknown> = { type: p.type, occurred_at: values.occurred_at || undefined };
      if (values.note.trim()) body.note = values.note.trim();
      if (def.build) Object.assign(body, def.build(values));
      else for (const f of def.fields) if (values[f.name] !== '') body[f.name] = values[f.name];
      if (p.type === 'admission_notice') body.recipients = recipients.map((unit) => ({ unit }));
      const r = await request<AppendResult>('POST', `/api/v1/episodes/${p.view.episode.id}/events`, {
        body,
        idempotencyKey: key,
      });
      return r.data as AppendResult;
    },
    [p.type, p.view.episode.id, values, recipients, def],
  );
  const sub = useSubmit(send);
  const names = ['occurred_at', 'note', 'recipients', ...def.fields.map((f) => f.name)];
  if (p.type === 'sip_held') names.push('participants', 'actions');

  return (
    <FormShell
      id={formId}
      title={actionLabel(p.type) + (p.preset?.cancels_seq ? ` #${p.preset.cancels_seq}` : '')}
      fields={names}
      error={sub.error}
      busy={sub.busy}
      submitLabel={t('send')}
      onCancel={p.onClose}
      onSubmit={async () => {
        const req = def.fields.filter((f) => f.required).map((f) => f.name);
        if (def.noteRequired) req.push('note');
        req.push('occurred_at');
        const missing = missingRequired(
          p.type === 'admission_notice' ? { ...values, recipients } : values,
          p.type === 'admission_notice' ? [...req, 'recipients'] : req,
        );
        if (missing) {
          if (missing.fields.recipients) missing.fields.recipients = t('recipients_none_chosen');
          return sub.setError(missing);
        }
        const r = await sub.run();
        if (r) p.onDone(r);
      }}
    >
      {def.hint ? <p class="hint">{t(def.hint)}</p> : null}
      {p.type === 'discharged' && (p.view.episode.discharge_warnings ?? []).length > 0 ? (
        <div class="warning" role="status" data-testid="discharge-warnings">
          <strong>{t('discharge_warnings')}:</strong>{' '}
          {(p.view.episode.discharge_warnings ?? []).map((w) => (lang.get() === 'sv' ? w.sv : w.en)).join(' ')}
        </div>
      ) : null}
      {p.type === 'admission_notice' ? (
        <Recipients form={formId} ctx={ctx} value={recipients} onValue={setRecipients} error={sub.error} />
      ) : null}
      <div class="grid-fields">
        {def.fields
          .filter((f) => !(p.type === 'cancelled' && f.name === 'cancels_seq'))
          .map((f) =>
            f.kind === 'codeset' ? (
              <CodeSet
                key={f.name}
                form={formId}
                name={f.name}
                label={t(f.label)}
                table={f.codes ?? ''}
                value={values[f.name]}
                onValue={set(f.name)}
                error={sub.error}
              />
            ) : f.kind === 'checkbox' ? (
              <Checkbox
                key={f.name}
                form={formId}
                name={f.name}
                label={t(f.label)}
                checked={values[f.name] === 'true'}
                onChecked={(on) => set(f.name)(on ? 'true' : '')}
              />
            ) : f.kind === 'select' ? (
              <Select
                key={f.name}
                form={formId}
                name={f.name}
                label={t(f.label)}
                required={f.required}
                value={values[f.name]}
                onValue={set(f.name)}
                options={f.options ? f.options(ctx) : []}
                placeholder={t('choose')}
                error={sub.error}
              />
            ) : (
              <TextInput
                key={f.name}
                form={formId}
                name={f.name}
                type={f.kind}
                label={t(f.label)}
                required={f.required}
                maxLength={f.maxLength}
                value={values[f.name]}
                onValue={set(f.name)}
                error={sub.error}
              />
            ),
          )}
        <TextInput
          form={formId}
          name="occurred_at"
          type="datetime-local"
          label={t('occurred_at')}
          required
          value={values.occurred_at}
          onValue={set('occurred_at')}
          error={sub.error}
        />
      </div>
      {p.type === 'sip_held' ? <SipContent form={formId} values={values} set={set} error={sub.error} /> : null}
      <TextArea
        form={formId}
        name="note"
        label={def.noteRequired ? t('note') : `${t('note')} (${t('optional')})`}
        required={def.noteRequired}
        value={values.note}
        onValue={set('note')}
        error={sub.error}
      />
    </FormShell>
  );
}
