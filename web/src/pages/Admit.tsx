// Admit.tsx - a new episode (POST /api/v1/episodes, an `admitted` event) for
// ward staff. The hospital and the care type follow from the ward unless the
// user changes the care type. On success the episode page opens with the
// admission notice form, so the 24-hour notice is the next thing to do.
import { useCallback, useMemo, useState } from 'preact/hooks';
import { request, useSubmit, type AppendResult, type Session } from '../api';
import { Checkbox, FormShell, Select, TextInput, missingRequired } from '../components/fields';
import { codeLabel, codeList, nowLocalInput, t } from '../i18n';
import { authorUnits, roleMaySend } from '../rules';
import { directory, navigate } from '../state';

export function Admit(p: { me: Session }) {
  const units = directory.get().units;
  const orgs = directory.get().orgs;
  const wards = authorUnits(p.me.units, 'admitted');
  const [v, setV] = useState({
    ward: wards[0]?.id ?? '',
    care_type: '',
    occurred_at: nowLocalInput(),
    name: '',
    personnummer: '',
    registered_municipality: '',
    primary_care_unit: '',
    address: '',
    protected_identity: false,
    note: '',
  });
  const set = (k: keyof typeof v) => (x: string | boolean) => setV((o) => ({ ...o, [k]: x }));

  const municipalities = useMemo(
    () =>
      [...orgs.values()]
        .filter((o) => o.kind === 'municipality')
        .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
        .map((o) => ({ value: o.code, label: `${o.name} (${o.code})` })),
    [orgs],
  );
  const pcus = useMemo(() => {
    const all = [...units.values()].filter((u) => u.kind === 'primary_care' || u.kind === 'specialist_outpatient');
    // the patient's own municipality first
    const own = all.filter((u) => u.municipality === v.registered_municipality);
    const rest = all.filter((u) => u.municipality !== v.registered_municipality);
    return [
      ...own.map((u) => ({ value: u.id, label: u.name })),
      ...rest.map((u) => ({ value: u.id, label: u.name, group: orgs.get(u.municipality ?? '')?.name ?? '–' })),
    ];
  }, [units, orgs, v.registered_municipality]);

  const send = useCallback(
    async (key: string) => {
      const patient: Record<string, unknown> = {
        personnummer: v.personnummer.trim(),
        name: v.name.trim(),
        registered_municipality: v.registered_municipality,
        protected_identity: v.protected_identity,
      };
      if (v.primary_care_unit) patient.primary_care_unit = v.primary_care_unit;
      if (v.address.trim()) patient.address = v.address.trim();
      const body: Record<string, unknown> = { type: 'admitted', occurred_at: v.occurred_at, ward: v.ward, patient };
      if (v.care_type) body.care_type = v.care_type;
      if (v.note.trim()) body.note = v.note.trim();
      const r = await request<AppendResult>('POST', '/api/v1/episodes', { body, idempotencyKey: key });
      return r.data as AppendResult;
    },
    [v],
  );
  const sub = useSubmit(send);

  if (!roleMaySend(p.me.user.role, 'admitted') || wards.length === 0)
    return (
      <div class="card">
        <h1 tabIndex={-1}>{t('admit_title')}</h1>
        <p>{t('actions_none')}</p>
      </div>
    );

  const F = 'admit';
  const fields = [
    'ward',
    'care_type',
    'occurred_at',
    'patient.name',
    'patient.personnummer',
    'patient.registered_municipality',
    'patient.primary_care_unit',
    'patient.address',
    'patient.protected_identity',
    'note',
  ];
  return (
    <div class="narrow">
      <h1 tabIndex={-1}>{t('admit_title')}</h1>
      <p>{t('admit_intro')}</p>
      <div class="card">
        <FormShell
          id={F}
          fields={fields}
          error={sub.error}
          busy={sub.busy}
          submitLabel={t('admit_button')}
          onSubmit={async () => {
            const missing = missingRequired(
              {
                'patient.personnummer': v.personnummer,
                'patient.name': v.name,
                'patient.registered_municipality': v.registered_municipality,
                ward: v.ward,
                occurred_at: v.occurred_at,
              },
              ['patient.personnummer', 'patient.name', 'patient.registered_municipality', 'ward', 'occurred_at'],
            );
            if (missing) return sub.setError(missing);
            const r = await sub.run();
            if (r) navigate(`/episodes/${r.episode_id}`);
          }}
        >
          <div class="grid-fields">
            <TextInput form={F} name="patient.personnummer" label={t('patient_pnr')} required value={v.personnummer} onValue={set('personnummer')} maxLength={20} inputMode="numeric" placeholder="ÅÅÅÅMMDD-NNNN" error={sub.error} />
            <TextInput form={F} name="patient.name" label={t('patient_name')} required value={v.name} onValue={set('name')} maxLength={127} error={sub.error} />
            <Select form={F} name="patient.registered_municipality" label={t('patient_municipality')} required value={v.registered_municipality} onValue={set('registered_municipality')} options={municipalities} placeholder={t('choose')} error={sub.error} />
            <Select form={F} name="patient.primary_care_unit" label={t('patient_pcu')} value={v.primary_care_unit} onValue={set('primary_care_unit')} options={pcus} placeholder={t('none')} error={sub.error} />
            <TextInput form={F} name="patient.address" label={t('patient_address')} value={v.address} onValue={set('address')} maxLength={255} error={sub.error} />
            <Checkbox form={F} name="patient.protected_identity" label={t('patient_protected')} checked={v.protected_identity} onChecked={set('protected_identity')} error={sub.error} />
            <Select form={F} name="ward" label={t('admit_ward')} required value={v.ward} onValue={set('ward')} options={wards.map((w) => ({ value: w.id, label: units.get(w.id)?.name ?? w.id }))} error={sub.error} />
            <Select form={F} name="care_type" label={t('care_type')} value={v.care_type} onValue={set('care_type')} options={codeList('care_type').map((c) => ({ value: c, label: codeLabel('care_type', c) }))} placeholder={codeLabel('care_type', units.get(v.ward)?.care_type) || t('choose')} error={sub.error} />
            <TextInput form={F} name="occurred_at" type="datetime-local" label={t('occurred_at')} required value={v.occurred_at} onValue={set('occurred_at')} error={sub.error} />
          </div>
        </FormShell>
      </div>
    </div>
  );
}
