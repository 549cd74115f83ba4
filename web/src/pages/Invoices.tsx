// Invoices.tsx - the invoice bases (GET /api/v1/invoices) with filters by
// month, municipality and state kept in the URL, and for the region's invoice
// officer the form that builds a month (POST /api/v1/invoices): one basis per
// municipality with liable nights, each answered created / unchanged / kept.
// A municipality's officer sees only its own bases once sent (the API decides).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, request, useSubmit, type Session } from '../api';
import { ErrorBox, Link, Loading } from '../components/common';
import { FormShell, Select } from '../components/fields';
import { codeLabel, codeList, formatInstant, t } from '../i18n';
import { kronor, monthLabel, municipalitiesOf, recentMonths, sideOf, type InvoiceRow } from '../invoices';
import type { InvoiceList } from '../openapi.gen';
import { navigate } from '../state';

export function InvoiceStateBadge(p: { state: string; outcome?: string | null }) {
  return (
    <span class={`badge inv-state inv-${p.state}`} data-state={p.state}>
      {codeLabel('invoice_state', p.state)}
      {p.outcome ? ` – ${codeLabel('invoice_outcome', p.outcome)}` : ''}
    </span>
  );
}

function BuildForm(p: { me: Session; onBuilt: (month: string, rows: InvoiceRow[]) => void }) {
  const months = recentMonths(24);
  // the last finished month by default; the month under way has nights still to come (issue 18.6)
  const [month, setMonth] = useState(months[1]);
  const unfinished = month === months[0];
  const [municipality, setMunicipality] = useState('');
  const send = useCallback(
    async (key: string) => {
      const body: Record<string, unknown> = { month };
      if (municipality) body.municipality = municipality;
      const r = await request<InvoiceList>('POST', '/api/v1/invoices', { body, idempotencyKey: key });
      return r.data?.invoices ?? [];
    },
    [month, municipality],
  );
  const sub = useSubmit(send);
  const F = 'invoice-build';
  return (
    <section class="card" aria-labelledby="invoice-build-h">
      <h2 id="invoice-build-h">{t('build_title')}</h2>
      <p class="hint">{t('build_hint')}</p>
      <FormShell
        id={F}
        fields={['month', 'municipality']}
        error={sub.error}
        busy={sub.busy}
        submitLabel={t('build_button')}
        onSubmit={async () => {
          const rows = await sub.run();
          if (rows) p.onBuilt(month, rows);
        }}
      >
        <div class="inv-build-fields">
          <Select
            form={F}
            name="month"
            label={t('build_month')}
            value={month}
            onValue={setMonth}
            required
            options={months.map((m, i) => ({ value: m, label: monthLabel(m) + (i === 0 ? ` (${t('month_unfinished')})` : '') }))}
          />
          <Select
            form={F}
            name="municipality"
            label={t('build_municipality')}
            value={municipality}
            onValue={setMunicipality}
            placeholder={t('build_all_municipalities')}
            options={municipalitiesOf(p.me)}
          />
        </div>
        {unfinished ? (
          <p class="inv-note" role="alert" id="invoice-build-unfinished">
            {t('build_unfinished')}
          </p>
        ) : null}
      </FormShell>
    </section>
  );
}

function BuildResult(p: { month: string; rows: InvoiceRow[] }) {
  return (
    <section class="card card-attention" aria-labelledby="invoice-built-h" id="invoice-built" role="status">
      <h2 id="invoice-built-h">
        {t('build_result')}: {monthLabel(p.month)}
        <span class="count">{p.rows.length}</span>
      </h2>
      {p.rows.length === 0 ? (
        <p class="empty">{t('build_none')}</p>
      ) : (
        <ul class="plain inv-built-list">
          {p.rows.map((r) => (
            <li key={r.municipality} data-municipality={r.municipality} data-status={r.status}>
              {r.id ? <Link href={`/invoices/${r.id}`}>{`${r.municipality_name} (${r.municipality})`}</Link> : r.municipality_name}
              {' – '}
              {codeLabel('invoice_build_status', r.status)}, {kronor(r.total_ore)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Invoices(p: { me: Session; query: string }) {
  const side = sideOf(p.me);
  const q = new URLSearchParams(p.query);
  const [f, setF] = useState({ month: q.get('month') ?? '', municipality: q.get('municipality') ?? '', state: q.get('state') ?? '' });
  const [data, setData] = useState<InvoiceRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [built, setBuilt] = useState<{ month: string; rows: InvoiceRow[] } | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const qq = new URLSearchParams(p.query);
    setF({ month: qq.get('month') ?? '', municipality: qq.get('municipality') ?? '', state: qq.get('state') ?? '' });
  }, [p.query]);

  useEffect(() => {
    if (!side) return undefined;
    let live = true;
    setData(null);
    setError(null);
    const api = new URLSearchParams();
    for (const k of ['month', 'municipality', 'state']) {
      const v = new URLSearchParams(p.query).get(k);
      if (v) api.set(k, v);
    }
    get<InvoiceList>('/api/v1/invoices' + (api.toString() ? '?' + api.toString() : ''))
      .then((d) => live && setData(d.invoices))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [p.query, reload, side]);

  if (!side)
    return (
      <div class="card">
        <h1 tabIndex={-1}>{t('invoices_title')}</h1>
        <p>{t('invoices_only_officers')}</p>
      </div>
    );

  const apply = (over: Partial<typeof f> = {}) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...f, ...over })) if (v) u.set(k, v);
    navigate('/invoices' + (u.toString() ? '?' + u.toString() : ''));
  };
  const set = (k: keyof typeof f) => (v: string) => setF((o) => ({ ...o, [k]: v }));
  const F = 'invoice-filter';
  const munis = municipalitiesOf(p.me);
  const states = codeList('invoice_state').filter((s) => s !== 'preview' && (side === 'region' || (s !== 'draft' && s !== 'superseded')));

  return (
    <div class="invoices">
      <h1 tabIndex={-1}>{t('invoices_title')}</h1>
      <p class="dash-intro">{side === 'region' ? t('invoices_intro_region') : t('invoices_intro_municipality')}</p>
      {side === 'region' ? (
        <BuildForm
          me={p.me}
          onBuilt={(month, rows) => {
            setBuilt({ month, rows });
            setF({ month, municipality: '', state: '' });
            if (f.month === month && !f.municipality && !f.state) setReload((n) => n + 1);
            else apply({ month, municipality: '', state: '' });
          }}
        />
      ) : null}
      {built ? <BuildResult month={built.month} rows={built.rows} /> : null}
      <form
        class="card filters"
        role="search"
        aria-label={t('filter_title')}
        id={F}
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <Select
          form={F}
          name="month"
          label={t('filter_month')}
          value={f.month}
          onValue={set('month')}
          placeholder={t('filter_any_month')}
          options={recentMonths(36).map((m) => ({ value: m, label: monthLabel(m) }))}
        />
        {side === 'region' ? (
          <Select
            form={F}
            name="municipality"
            label={t('filter_municipality')}
            value={f.municipality}
            onValue={set('municipality')}
            placeholder={t('filter_any_municipality')}
            options={munis}
          />
        ) : null}
        <Select
          form={F}
          name="state"
          label={t('filter_state')}
          value={f.state}
          onValue={set('state')}
          placeholder={t('filter_any_state')}
          options={[
            ...states.map((s) => ({ value: s, label: codeLabel('invoice_state', s) })),
            ...(side === 'region' ? [{ value: 'all', label: t('filter_all_states') }] : []),
          ]}
        />
        <div class="field field-button">
          <button type="submit" class="btn btn-primary">
            {t('filter_apply')}
          </button>
        </div>
      </form>
      {error ? (
        <ErrorBox error={error} />
      ) : !data ? (
        <Loading />
      ) : (
        <section class="card" aria-labelledby="invoice-list-h">
          <h2 id="invoice-list-h">
            {data.length} {t('list_count')}
          </h2>
          {data.length === 0 ? (
            <p class="empty">{side === 'region' ? t('list_empty') : t('list_empty_municipality')}</p>
          ) : (
            <div class="table-wrap">
              <table class="inv-list">
                <caption class="sr-only">{t('invoices_title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('col_municipality')}</th>
                    <th scope="col">{t('col_month')}</th>
                    <th scope="col">{t('col_state')}</th>
                    <th scope="col" class="num">
                      {t('col_lines')}
                    </th>
                    <th scope="col" class="num">
                      {t('col_exclusions')}
                    </th>
                    <th scope="col" class="num">
                      {t('col_total')}
                    </th>
                    <th scope="col" class="num">
                      {t('col_owed')}
                    </th>
                    <th scope="col">{t('col_cutoff')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((r) => (
                    <tr key={r.id} data-invoice={r.id} data-municipality={r.municipality} data-state={r.state}>
                      <th scope="row">
                        <Link href={`/invoices/${r.id}`}>{`${r.municipality_name} (${r.municipality})`}</Link>
                        <span class="pnr">
                          #{r.id} · {t('revision')} {r.revision}
                        </span>
                      </th>
                      <td>{monthLabel(r.month)}</td>
                      <td>
                        <InvoiceStateBadge state={r.state} outcome={r.outcome} />
                      </td>
                      <td class="num">{r.line_count ?? '–'}</td>
                      <td class="num">{r.exclusion_count ?? '–'}</td>
                      <td class="num">{kronor(r.total_ore)}</td>
                      <td class="num">{kronor(r.owed_ore)}</td>
                      <td>{formatInstant(r.cutoff)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
