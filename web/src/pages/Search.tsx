// Search.tsx - search by personnummer (POST /api/v1/search). The number goes
// in the body, never in a URL, and the server audits the search with the
// reason the user gives.
import { useCallback, useState } from 'preact/hooks';
import { request, useSubmit, type EpisodeRow } from '../api';
import { EpisodeTable } from '../components/common';
import { FormShell, TextInput, missingRequired } from '../components/fields';
import { plural, t } from '../i18n';
import type { EpisodeList } from '../openapi.gen';

export function Search() {
  const [pnr, setPnr] = useState('');
  const [reason, setReason] = useState('');
  const [rows, setRows] = useState<EpisodeRow[] | null>(null);
  const send = useCallback(
    async () =>
      (await request<EpisodeList>('POST', '/api/v1/search', { body: { personnummer: pnr.trim(), reason: reason.trim() } })).data!,
    [pnr, reason],
  );
  const sub = useSubmit(send);
  const F = 'search';
  return (
    <div class="narrow">
      <h1 tabIndex={-1}>{t('search_title')}</h1>
      <p>{t('search_intro')}</p>
      <div class="card">
        <FormShell
          id={F}
          fields={['personnummer', 'reason']}
          error={sub.error}
          busy={sub.busy}
          submitLabel={t('search_button')}
          onSubmit={async () => {
            const missing = missingRequired({ personnummer: pnr }, ['personnummer']);
            if (missing) return sub.setError(missing);
            const r = await sub.run();
            if (r) setRows(r.episodes);
          }}
        >
          <div class="grid-fields">
            <TextInput form={F} name="personnummer" label={t('personnummer')} required value={pnr} onValue={setPnr} maxLength={20} inputMode="numeric" placeholder="ÅÅÅÅMMDD-NNNN" error={sub.error} />
            <TextInput form={F} name="reason" label={t('search_reason')} required value={reason} onValue={setReason} maxLength={200} error={sub.error} />
          </div>
        </FormShell>
      </div>
      {rows ? (
        <section class="card" aria-labelledby="search-h" aria-live="polite">
          <h2 id="search-h">
            {plural(rows.length, 'result_one', 'results')}
          </h2>
          <EpisodeTable rows={rows} columns={['ward', 'status', 'admitted', 'discharged']} caption={t('search_title')} empty={t('search_none')} />
        </section>
      ) : null}
    </div>
  );
}
