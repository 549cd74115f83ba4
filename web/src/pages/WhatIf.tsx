// WhatIf.tsx - the what-if of agreement models (issue 15.5; POST /api/v1/whatif,
// docs/invoices.md): the analyst picks a period and agreements to compare – the
// imported ones (GET /api/v1/agreements) or files uploaded as JSON, which are
// sent in the request and never stored – and sees per month a chart of what was
// invoiced beside each agreement's total, and the table per municipality and
// month under it. A municipality's users get their own municipality only, and
// only the invoices the region has sent (the API decides; the page says so).
// Loaded as its own chunk with the chart library, like the dashboard.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, request, useSubmit, type Session } from '../api';
import { Chart, seriesStyle } from '../components/Chart';
import { ErrorBox } from '../components/common';
import { Checkbox, FormShell, Select, TextInput } from '../components/fields';
import { kronor, monthLabel, recentMonths } from '../invoices';
import { directory, municipalityLabel } from '../state';
import { useSignal } from '../signal';
import { lang, t } from '../i18n';
import type { AgreementList, AgreementRow, WhatIf } from '../openapi.gen';

interface Uploaded {
  key: string;
  id: string;
  name: string;
  document: Record<string, unknown>;
}

// the answer (docs/openapi.json's WhatIf): one row per municipality and month, a figure per agreement
type Answer = WhatIf;
type Row = WhatIf['rows'][number];

const MAX = 8;

/** "12 345 kr" without öre, for the chart's axis and legend. */
function wholeKronor(ore: number): string {
  return `${new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0 }).format(Math.round(ore / 100))}\u00a0kr`;
}

function Result(p: { answer: Answer }) {
  useSignal(lang);
  const a = p.answer;
  const months = [...new Set(a.rows.map((r) => r.month))].sort();
  const byMonth = (pick: (r: Row) => number | null) =>
    months.map((m) => {
      const vals = a.rows.filter((r) => r.month === m).map(pick);
      return vals.every((v) => v === null) ? null : vals.reduce<number>((s, v) => s + (v ?? 0), 0);
    });
  const names = a.scenarios.map((s) => `${s.name} (${s.agreement} v${s.version})`);
  const series = [
    { label: t('whatif_col_invoiced'), values: byMonth((r) => r.invoiced_ore), ...seriesStyle(0), bars: false },
    ...a.scenarios.map((_, i) => ({ label: names[i], values: byMonth((r) => r.scenarios[i].total_ore), ...seriesStyle(i + 1) })),
  ];
  const total = (pick: (r: Row) => number | null) => a.rows.reduce((s, r) => s + (pick(r) ?? 0), 0);
  const unpriced = a.rows.reduce((s, r) => s + r.scenarios.reduce((t, f) => t + f.unpriced_nights, 0), 0);
  return (
    <section class="card" aria-labelledby="whatif-result-h" data-testid="whatif-result">
      <h2 id="whatif-result-h">{t('whatif_chart')}</h2>
      <p class="hint">
        {a.episodes} {t('whatif_episodes')}
        {unpriced ? ` · ${unpriced} ${t('whatif_unpriced')}` : ''}
      </p>
      <Chart
        label={t('whatif_chart')}
        testid="whatif-chart"
        x={months.map(monthLabel)}
        xName={t('whatif_month')}
        series={series}
        format={wholeKronor}
      />
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t('whatif_table')}>
        <table class="table" data-testid="whatif-table">
          <caption>{t('whatif_table')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('whatif_col_municipality')}</th>
              <th scope="col">{t('whatif_col_month')}</th>
              <th scope="col" class="num">
                {t('whatif_col_invoiced')}
              </th>
              <th scope="col" class="num">
                {t('whatif_col_recomputed')}
              </th>
              {names.map((n) => (
                <th scope="col" class="num" key={n}>
                  {n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {a.rows.map((r) => (
              <tr key={r.municipality + r.month} data-municipality={r.municipality} data-month={r.month}>
                <th scope="row">{municipalityLabel(r.municipality)}</th>
                <td>{monthLabel(r.month)}</td>
                <td class="num" data-col="invoiced">
                  {r.invoiced_ore === null ? <span class="muted">{t('whatif_no_invoice')}</span> : kronor(r.invoiced_ore)}
                </td>
                <td class="num" data-col="recomputed">
                  {kronor(r.recomputed_ore)}
                </td>
                {r.scenarios.map((f, i) => (
                  <td class="num" data-col={`scenario-${i}`} key={i}>
                    {kronor(f.total_ore)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={2}>
                {t('whatif_total')}
              </th>
              <td class="num" data-col="invoiced">
                {kronor(total((r) => r.invoiced_ore))}
              </td>
              <td class="num" data-col="recomputed">
                {kronor(total((r) => r.recomputed_ore))}
              </td>
              {a.scenarios.map((_, i) => (
                <td class="num" data-col={`scenario-${i}`} key={i}>
                  {kronor(total((r) => r.scenarios[i].total_ore))}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

export function WhatIf(p: { me: Session }) {
  useSignal(lang);
  const months = recentMonths(12);
  const [from, setFrom] = useState(`${months[12]}-01`);
  const [to, setTo] = useState(`${months[1]}-01`);
  const [municipality, setMunicipality] = useState('');
  const [imported, setImported] = useState<AgreementRow[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [uploads, setUploads] = useState<Uploaded[]>([]);
  const [uploadError, setUploadError] = useState('');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const own = directory.get().orgs.get(p.me.user.organisation);
  const isMunicipality = own?.kind === 'municipality';

  useEffect(() => {
    get<AgreementList>('/api/v1/agreements')
      .then((r) => {
        const latest = r.agreements.filter((x) => x.latest);
        setImported(latest);
        setChosen((c) => (c.length ? c : latest.slice(0, 1).map((x) => x.id)));
      })
      .catch(setLoadError);
  }, []);

  const send = useCallback(async () => {
    const agreements = [...chosen.map((id) => ({ id })), ...uploads.map((u) => ({ document: u.document }))];
    const q = municipality ? `?municipality=${encodeURIComponent(municipality)}` : '';
    const r = await request<Answer>('POST', `/api/v1/whatif${q}`, { body: { from, to, agreements } });
    return r.data ?? null;
  }, [chosen, uploads, from, to, municipality]);
  const sub = useSubmit(send);

  const municipalities = [...directory.get().orgs.values()]
    .filter((o) => o.kind === 'municipality' && (!own?.county || o.county === own.county))
    .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
    .map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }));

  const onFile = async (file: File | undefined) => {
    setUploadError('');
    if (!file) return;
    try {
      const doc = JSON.parse(await file.text()) as Record<string, unknown>;
      if (typeof doc !== 'object' || doc === null || typeof doc.id !== 'string') throw new Error('not an agreement');
      setUploads((u) => [
        ...u,
        { key: `${file.name}-${Date.now()}`, id: doc.id as string, name: String(doc.name ?? doc.id), document: doc },
      ]);
    } catch {
      setUploadError(t('whatif_upload_bad'));
    }
  };

  const F = 'whatif';
  const count = chosen.length + uploads.length;
  return (
    <div class="whatif-page">
      <section class="card" aria-labelledby="whatif-h">
        <h1 id="whatif-h" tabIndex={-1}>
          {t('whatif_title')}
        </h1>
        <p>{t('whatif_intro')}</p>
        {isMunicipality ? <p class="hint" data-testid="whatif-scope">{t('whatif_scope_municipality')}</p> : null}
        <p class="hint">{t('whatif_explain')}</p>
        {loadError ? <ErrorBox error={loadError} /> : null}
        <FormShell
          id={F}
          fields={['from', 'to', 'municipality', 'agreements']}
          error={sub.error}
          busy={sub.busy}
          submitLabel={t('whatif_run')}
          onSubmit={async () => {
            if (count === 0) {
              sub.setError(new Error(t('whatif_none_chosen')));
              return;
            }
            const a = await sub.run();
            if (a) setAnswer(a);
          }}
        >
          <div class="inv-build-fields">
            <TextInput form={F} name="from" label={t('whatif_from')} type="date" value={from} onValue={setFrom} required error={sub.error} />
            <TextInput form={F} name="to" label={t('whatif_to')} type="date" value={to} onValue={setTo} required error={sub.error} />
            {isMunicipality ? null : (
              <Select
                form={F}
                name="municipality"
                label={t('whatif_municipality')}
                value={municipality}
                onValue={setMunicipality}
                placeholder={t('whatif_all_municipalities')}
                options={municipalities}
                error={sub.error}
              />
            )}
          </div>
          <fieldset class="whatif-agreements" data-testid="whatif-agreements">
            <legend>{t('whatif_agreements')}</legend>
            <p class="hint">{t('whatif_agreements_hint')}</p>
            {(imported ?? []).map((a) => (
              <Checkbox
                key={a.id}
                form={F}
                name={`agreement-${a.id}`}
                label={`${a.name} (${a.id}, ${t('whatif_version')} ${a.version})`}
                checked={chosen.includes(a.id)}
                disabled={!chosen.includes(a.id) && count >= MAX}
                onChecked={(on) => setChosen((c) => (on ? [...c, a.id] : c.filter((x) => x !== a.id)))}
              />
            ))}
            {uploads.map((u) => (
              <p key={u.key} class="whatif-upload" data-testid="whatif-uploaded">
                {u.name} ({u.id}, {t('whatif_uploaded')}){' '}
                <button type="button" class="btn btn-small" onClick={() => setUploads((x) => x.filter((y) => y.key !== u.key))}>
                  {t('whatif_remove')}
                </button>
              </p>
            ))}
            <div class="field">
              <label for="whatif-file">{t('whatif_upload')}</label>
              <input
                id="whatif-file"
                type="file"
                accept="application/json,.json"
                disabled={count >= MAX}
                aria-describedby={uploadError ? 'whatif-file-err' : undefined}
                onChange={(e) => {
                  const input = e.currentTarget as HTMLInputElement;
                  void onFile(input.files?.[0]).then(() => {
                    input.value = '';
                  });
                }}
              />
              {uploadError ? (
                <p class="field-error" id="whatif-file-err" role="alert">
                  {uploadError}
                </p>
              ) : null}
            </div>
          </fieldset>
        </FormShell>
      </section>
      {answer ? <Result answer={answer} /> : null}
    </div>
  );
}
