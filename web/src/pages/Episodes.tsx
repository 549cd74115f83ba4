// Episodes.tsx - lists of episodes filtered by unit, municipality, status and
// period (GET /api/v1/episodes). The filter lives in the URL's query string,
// so a filtered list can be bookmarked and survives a reload.
import { useEffect, useState } from 'preact/hooks';
import { get, type Session } from '../api';
import { EpisodeTable, ErrorBox, Loading } from '../components/common';
import { Select, TextInput } from '../components/fields';
import { codeLabel, plural, t } from '../i18n';
import type { EpisodePage } from '../openapi.gen';
import { directory, navigate, unitName } from '../state';

const PAGE = 50;
const STATUSES = ['admitted', 'ready', 'discharged', 'cancelled'];

export function Episodes(p: { me: Session; query: string }) {
  const q = new URLSearchParams(p.query);
  const [f, setF] = useState({
    unit: q.get('unit') ?? '',
    municipality: q.get('municipality') ?? '',
    status: q.get('status') ?? '',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
  });
  const offset = Number(q.get('offset') ?? '0') || 0;
  const [data, setData] = useState<EpisodePage | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setData(null);
    setError(null);
    const api = new URLSearchParams(p.query);
    api.set('limit', String(PAGE));
    get<EpisodePage>('/api/v1/episodes?' + api.toString())
      .then((d) => live && setData(d))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [p.query]);

  const apply = (extra: Record<string, string> = {}) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) u.set(k, v);
    navigate('/episodes' + (u.toString() ? '?' + u.toString() : ''));
  };
  const set = (k: keyof typeof f) => (v: string) => setF((o) => ({ ...o, [k]: v }));
  const munis = [...directory.get().orgs.values()]
    .filter((o) => o.kind === 'municipality')
    .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
    .map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }));
  const F = 'filter';

  return (
    <>
      <h1 tabIndex={-1}>{t('episodes_title')}</h1>
      <form
        class="card filters"
        role="search"
        aria-label={t('filter')}
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <Select form={F} name="unit" label={t('filter_unit')} value={f.unit} onValue={set('unit')} placeholder={t('filter_any')} options={p.me.user.units.map((u) => ({ value: u, label: unitName(u) }))} />
        <Select form={F} name="municipality" label={t('filter_municipality')} value={f.municipality} onValue={set('municipality')} placeholder={t('filter_any')} options={munis} />
        <Select form={F} name="status" label={t('filter_status')} value={f.status} onValue={set('status')} placeholder={t('filter_any')} options={STATUSES.map((s) => ({ value: s, label: codeLabel('status', s) }))} />
        <TextInput form={F} name="from" type="date" label={t('filter_from')} value={f.from} onValue={set('from')} />
        <TextInput form={F} name="to" type="date" label={t('filter_to')} value={f.to} onValue={set('to')} />
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
        <section class="card" aria-labelledby="list-h">
          <h2 id="list-h">
            {plural(data.total, 'result_one', 'results')}
          </h2>
          <EpisodeTable
            rows={data.episodes}
            columns={['ward', 'municipality', 'status', 'track', 'admitted', 'expected', 'discharged']}
            caption={t('episodes_title')}
            empty={t('no_episodes')}
          />
          {data.total > PAGE ? (
            <nav class="pager" aria-label={t('page')}>
              <button type="button" class="btn" disabled={offset === 0} onClick={() => apply({ offset: String(Math.max(0, offset - PAGE)) })}>
                {t('prev_page')}
              </button>
              <span>
                {t('page')} {Math.floor(offset / PAGE) + 1} / {Math.ceil(data.total / PAGE)}
              </span>
              <button type="button" class="btn" disabled={offset + PAGE >= data.total} onClick={() => apply({ offset: String(offset + PAGE) })}>
                {t('next_page')}
              </button>
            </nav>
          ) : null}
        </section>
      )}
    </>
  );
}
