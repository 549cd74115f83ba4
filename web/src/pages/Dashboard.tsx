// Dashboard.tsx - the follow-up dashboard (issue 6): the figures the follow-up
// groups ask for, for the caller's scope (a region's users see their county, a
// municipality's users only their own residents: the server decides, the page
// only shows what it gets). Everything comes from the follow-up API
// (docs/indicators.md); nothing is computed here but a difference between two
// counts the API gave.
//
// Sections, each a chart with its table and a CSV download of the API's own
// table (`format=csv`):
//   key figures of the period (GET /api/v1/indicators?by=month&measures=brief, its total);
//   ready-days per month per municipality (by=municipality,month) with the period
//     per municipality (by=municipality);
//   mean ready-days per episode against a target the user sets (kept in localStorage);
//   yardsticks: mean liable days per municipality against its agreement's target (issue 15.4);
//   deadline compliance per month (24 h notice, care contact and SIP call within 3 days);
//   the patient survey's shares of "yes" by track colour or municipality (never one answer);
//   the point measurement: now, and the latest saved, with a button to save one;
//   the holiday forecast with its 80 % band.
// A suppressed cell (null and named in the row's `suppressed` list) shows "–"
// with an explanation, in tables and as a gap in charts; it is never summed.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, request, type Session } from '../api';
import { Chart, seriesStyle, type ChartSeries } from '../components/Chart';
import { ErrorBox, Loading } from '../components/common';
import { errorMessage, Select, TextInput } from '../components/fields';
import {
  addMonths,
  cellState,
  cellValue,
  formatMeasure,
  formatNumber,
  lastDayOf,
  loadTarget,
  measureLabel,
  monthOf,
  monthsBetween,
  qs,
  saveTarget,
  type Catalogue,
  type ForecastResult,
  type HolidayKey,
  type IndicatorResult,
  type Measure,
  type PointResult,
  type ValueRow,
} from '../followup';
import { codeLabel, formatDate, formatInstant, lang, t, todayLocal } from '../i18n';
import type { PointMeasurementList } from '../openapi.gen';
import { useSignal } from '../signal';
import { directory, orgName } from '../state';

// ---- loading ----

interface Load<T> {
  data: T | null;
  error: unknown;
  reload: () => void;
}

/** GETs `path` whenever it changes (null: nothing to load); a 404 is data = null, error = the ApiError. */
function useLoad<T>(path: string | null): Load<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setData(null);
    setError(null);
    get<T>(path)
      .then((d) => live && setData(d))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [path, n]);
  return { data, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

// ---- small pieces ----

const MEAN_MEASURES = ['ready_episodes', 'ready_days', 'ready_days_mean'];
const PIVOT_MEASURES = ['ready_days', 'ready_days_mean', 'ready_nights'];
const YARDSTICK_MEASURES = ['ready_episodes', 'liable_days_mean', 'liable_days_target', 'target_baseline_year'];
const COMPLIANCE = ['notice_24h_share', 'care_contact_3d_share', 'sip_call_3d_share'];
const KPIS = [
  'episodes',
  'ready_days_mean',
  'same_day_share',
  'notice_24h_share',
  'care_contact_3d_share',
  'sip_call_3d_share',
  'readmission_share_65',
  'survey_answers',
  'felt_safe_share',
  'took_part_share',
];

/** One figure of a row: its value, "–" when suppressed (with the reason for screen readers), empty when there is none. */
function Num(p: { row: ValueRow | undefined; code: string; kind: string }) {
  const st = cellState(p.row, p.code);
  if (st === 'suppressed')
    return (
      <td class="num suppressed" data-suppressed="true" title={t('suppressed_title')}>
        <span aria-hidden="true">–</span>
        <span class="sr-only">{t('suppressed_sr')}</span>
      </td>
    );
  if (st === 'none')
    return (
      <td class="num none">
        <span class="sr-only">{t('no_value')}</span>
      </td>
    );
  return <td class="num">{formatMeasure(p.row!.values[p.code]!, p.kind)}</td>;
}

/** The month under way (Stockholm): its figures are partial, so charts leave it out and tables mark it. */
const isUnfinished = (month: string) => month === monthOf(todayLocal());

/** A value of a month as a chart draws it: none for the month under way, which is not a drop to zero. */
const drawn = (month: string, v: number | null) => (isUnfinished(month) ? null : v);

/** A month's row heading: the month, and "pågår" when it is not over. */
function MonthHead(p: { month: string }) {
  return (
    <th scope="row" data-unfinished={isUnfinished(p.month) ? 'true' : undefined}>
      {p.month}
      {isUnfinished(p.month) ? <span class="unfinished"> ({t('month_unfinished')})</span> : null}
    </th>
  );
}

/** Under a chart whose period reaches the month under way: why its last month is not drawn. */
function UnfinishedNote(p: { period: string[] }) {
  return p.period.some(isUnfinished) ? <p class="table-note unfinished-note">{t('month_unfinished_note')}</p> : null;
}

/** A point-measurement count: "–" when 1 to minCell - 1 patients (the small-cell rule the page states). */
function PointNum(p: { v: number | undefined; minCell: number; hide?: boolean; signed?: boolean }) {
  const v = p.v ?? 0;
  if (p.hide || (v > 0 && v < p.minCell))
    return (
      <td class="num suppressed" data-suppressed="true" title={t('suppressed_title')}>
        <span aria-hidden="true">–</span>
        <span class="sr-only">{t('suppressed_sr')}</span>
      </td>
    );
  return <td class="num">{p.signed ? signed(v) : formatNumber(v)}</td>;
}

function SuppressedNote(p: { minCell: number; id?: string }) {
  return (
    <p class="table-note" id={p.id}>
      <span aria-hidden="true">–</span> {t('suppressed_note').replace('{n}', String(p.minCell))}
    </p>
  );
}

/** A link to the API's own table as a CSV file; `what` tells two downloads of one panel apart. */
function Download(p: { href: string; label: string; what?: string }) {
  const text = p.what ? `${t('download_csv')} (${p.what})` : t('download_csv');
  return (
    <a class="btn btn-small download" href={p.href} download aria-label={`${text}: ${p.label}`}>
      <span aria-hidden="true">⤓ </span>
      {text}
    </a>
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A table that may scroll sideways or down: focusable so a keyboard can scroll it. */
function ScrollTable(p: { id: string; caption: string; children: ComponentChildren; tall?: boolean }) {
  return (
    <div
      class={'table-wrap table-scroll' + (p.tall ? ' table-tall' : '')}
      tabIndex={0}
      role="region"
      aria-labelledby={p.id + '-cap'}
    >
      <table id={p.id}>
        <caption id={p.id + '-cap'}>{p.caption}</caption>
        {p.children}
      </table>
    </div>
  );
}

function Panel(p: {
  id: string;
  title: string;
  intro?: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <section class="card dash-panel" id={p.id} aria-labelledby={p.id + '-h'}>
      <div class="panel-head">
        <h2 id={p.id + '-h'}>{p.title}</h2>
        {p.actions ? <div class="panel-actions">{p.actions}</div> : null}
      </div>
      {p.intro ? <p class="meta">{p.intro}</p> : null}
      {p.children}
    </section>
  );
}

function Failed(p: { error: unknown }) {
  return <ErrorBox error={p.error} />;
}

const measureOf = (r: IndicatorResult | null, code: string): Measure | undefined =>
  r?.measures.find((m) => m.code === code);
const kindOf = (r: IndicatorResult | null, code: string) => measureOf(r, code)?.kind ?? 'count';
const pct = (v: number) => `${formatNumber(v, 0)} %`;
const shareSeries = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

// ---- the page ----

export function Dashboard(p: { me: Session }) {
  useSignal(lang);
  const dir = useSignal(directory);
  const cat = useLoad<Catalogue>('/api/v1/indicators/catalogue');
  const today = todayLocal();
  const thisMonth = monthOf(today);
  const [fromMonth, setFromMonth] = useState(addMonths(thisMonth, -11));
  const [toMonth, setToMonth] = useState(thisMonth);
  const [pick, setPick] = useState(''); // region users: one municipality of the county, or all
  const own = cat.data?.municipality ?? null;
  const municipality = own ?? (pick || null);
  const minCell = cat.data?.min_cell ?? 5;

  const months = monthsBetween(addMonths(thisMonth, -35), thisMonth);
  const from = `${fromMonth}-01`;
  const to = lastDayOf(toMonth < fromMonth ? fromMonth : toMonth);
  const period = monthsBetween(fromMonth, toMonth < fromMonth ? fromMonth : toMonth);
  const ready = cat.data !== null;

  const q = (extra: Record<string, string>) => qs({ from, to, municipality, ...extra });
  const byMonthMuni = '/api/v1/indicators' + q({ by: 'municipality,month', measures: PIVOT_MEASURES.join(',') });
  const byMuni = '/api/v1/indicators' + q({ by: 'municipality', measures: MEAN_MEASURES.join(',') });
  const byMonth = '/api/v1/indicators' + q({ by: 'month', measures: 'brief' });
  const byMuniYardstick = '/api/v1/indicators' + q({ by: 'municipality', measures: YARDSTICK_MEASURES.join(',') });
  const A = useLoad<IndicatorResult>(ready ? byMonthMuni : null);
  const C = useLoad<IndicatorResult>(ready ? byMuni : null);
  const B = useLoad<IndicatorResult>(ready ? byMonth : null);

  const countyMunicipalities = useMemo(() => {
    const mine = dir.orgs.get(p.me.user.organisation);
    return [...dir.orgs.values()]
      .filter((o) => o.kind === 'municipality' && (!mine || o.county === mine.county))
      .sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  }, [dir, p.me.user.organisation]);

  const scopeName = own
    ? `${orgName(own)} (${own})`
    : municipality
      ? `${orgName(municipality)} (${municipality})`
      : `${orgName(p.me.user.organisation)} – ${t('dash_all_municipalities').toLowerCase()}`;

  return (
    <div class="dashboard" data-testid="dashboard" data-scope={own ?? municipality ?? 'county'}>
      <div class="page-head">
        <h1 tabIndex={-1}>
          {t('dash_title')} <span class="sub">{scopeName}</span>
        </h1>
      </div>
      <p class="meta dash-intro">{t('dash_intro').replace('{n}', String(minCell))}</p>
      {cat.error ? <Failed error={cat.error} /> : null}
      <form class="filters dash-filters card" onSubmit={(e) => e.preventDefault()} aria-label={t('dash_filters')}>
        <Select
          form="dash"
          name="from"
          label={t('dash_from_month')}
          value={fromMonth}
          onValue={setFromMonth}
          options={months.map((m) => ({ value: m, label: m }))}
        />
        <Select
          form="dash"
          name="to"
          label={t('dash_to_month')}
          value={toMonth}
          onValue={setToMonth}
          options={months.filter((m) => m >= fromMonth).map((m) => ({ value: m, label: m }))}
        />
        {own ? (
          <p class="scope-fixed" data-testid="scope-fixed">
            <strong>{t('col_municipality')}:</strong> {orgName(own)} ({own})
          </p>
        ) : (
          <Select
            form="dash"
            name="municipality"
            label={t('col_municipality')}
            value={pick}
            onValue={setPick}
            placeholder={t('dash_all_municipalities')}
            options={countyMunicipalities.map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }))}
          />
        )}
      </form>
      {!ready ? (
        cat.error ? null : <Loading />
      ) : (
        <>
          <KeyFigures B={B} minCell={minCell} />
          <ReadyDays A={A} B={B} C={C} period={period} minCell={minCell} csvMonth={byMonthMuni} csvPeriod={byMuni} />
          <MeanTarget B={B} period={period} minCell={minCell} csv={byMonth} />
          <Yardsticks path={byMuniYardstick} minCell={minCell} />
          <Compliance B={B} period={period} minCell={minCell} csv={byMonth} />
          <SurveyPanel q={q} minCell={minCell} />
          <PointPanel municipality={municipality} minCell={minCell} />
          <ForecastPanel municipality={municipality} />
        </>
      )}
    </div>
  );
}

// ---- key figures ----

function KeyFigures(p: { B: Load<IndicatorResult>; minCell: number }) {
  const r = p.B.data;
  return (
    <Panel id="dash-kpi" title={t('dash_kpi')} intro={r ? `${t('dash_period')} ${r.from} – ${r.to}` : undefined}>
      {p.B.error ? (
        <Failed error={p.B.error} />
      ) : !r ? (
        <Loading />
      ) : (
        <>
          <dl class="kpis">
            {KPIS.filter((c) => measureOf(r, c)).map((code) => {
              const st = cellState(r.total, code);
              return (
                <div class="kpi" key={code} data-measure={code}>
                  <dt>{capital(measureLabel(measureOf(r, code), code))}</dt>
                  <dd data-suppressed={st === 'suppressed' ? 'true' : undefined}>
                    {st === 'value' ? (
                      formatMeasure(r.total.values[code]!, kindOf(r, code))
                    ) : st === 'suppressed' ? (
                      <>
                        <span aria-hidden="true">–</span>
                        <span class="sr-only">{t('suppressed_sr')}</span>
                      </>
                    ) : (
                      <span class="none-value">{t('no_value')}</span>
                    )}
                  </dd>
                </div>
              );
            })}
          </dl>
          <p class="table-note">{t('dash_kpi_note')}</p>
          <SuppressedNote minCell={p.minCell} />
        </>
      )}
    </Panel>
  );
}

// ---- ready-days per month per municipality ----

function ReadyDays(p: {
  A: Load<IndicatorResult>;
  B: Load<IndicatorResult>;
  C: Load<IndicatorResult>;
  period: string[];
  minCell: number;
  csvMonth: string;
  csvPeriod: string;
}) {
  const a = p.A.data;
  const c = p.C.data;
  const b = p.B.data;
  const codes = useMemo(() => {
    const s = new Set<string>();
    for (const r of a?.rows ?? []) s.add(r.keys.municipality);
    for (const r of c?.rows ?? []) s.add(r.keys.municipality);
    return [...s].sort((x, y) => orgName(x).localeCompare(orgName(y), 'sv'));
  }, [a, c]);
  const cell = (muni: string, month: string) => a?.rows.find((r) => r.keys.municipality === muni && r.keys.month === month);
  const whole = (muni: string) => c?.rows.find((r) => r.keys.municipality === muni);
  const monthRow = (month: string) => b?.rows.find((r) => r.keys.month === month);
  // The chart shows the five municipalities with the most ready-days at first; the legend shows the rest.
  const shown = new Set(
    [...codes]
      .sort((x, y) => (cellValue(whole(y), 'ready_days') ?? -1) - (cellValue(whole(x), 'ready_days') ?? -1))
      .slice(0, 5),
  );
  const series: ChartSeries[] = codes.map((m, i) => ({
    label: orgName(m),
    values: p.period.map((mo) => drawn(mo, cellValue(cell(m, mo), 'ready_days'))),
    show: shown.has(m),
    ...seriesStyle(i),
  }));
  const err = p.A.error || p.C.error;
  return (
    <Panel
      id="dash-ready"
      title={t('dash_ready_title')}
      intro={t('dash_ready_intro')}
      actions={
        <>
          <Download href={p.csvMonth + '&format=csv'} label={t('dash_ready_title')} what={t('dash_per_month')} />
          <Download
            href={p.csvPeriod + '&format=csv'}
            label={t('dash_ready_title')}
            what={t('dash_whole_period').toLowerCase()}
          />
        </>
      }
    >
      {err ? (
        <Failed error={err} />
      ) : !a || !c ? (
        <Loading />
      ) : (
        <>
          <Chart
            testid="chart-ready"
            label={t('dash_ready_chart')}
            x={p.period}
            xName={t('dash_month')}
            series={series}
            format={(v) => formatNumber(v, 0)}
          />
          <UnfinishedNote period={p.period} />
          <p class="table-note">{t('dash_legend_hint')}</p>
          <ScrollTable id="table-ready" caption={t('dash_ready_table')}>
            <thead>
              <tr>
                <th scope="col">{t('col_municipality')}</th>
                {p.period.map((m) => (
                  <th
                    scope="col"
                    class="num"
                    key={m}
                    data-month={m}
                    data-unfinished={isUnfinished(m) ? 'true' : undefined}
                  >
                    {m}
                    {isUnfinished(m) ? <span class="unfinished"> ({t('month_unfinished')})</span> : null}
                  </th>
                ))}
                <th scope="col" class="num">
                  {t('dash_whole_period')}
                </th>
                <th scope="col" class="num">
                  {t('dash_mean_short')}
                </th>
              </tr>
            </thead>
            <tbody>
              {codes.map((m) => (
                <tr key={m} data-municipality={m}>
                  <th scope="row">
                    {orgName(m).replace(/ kommun$/, '')} <span class="code">{m}</span>
                  </th>
                  {p.period.map((mo) => (
                    <Num key={mo} row={cell(m, mo)} code="ready_days" kind="sum" />
                  ))}
                  <Num row={whole(m)} code="ready_days" kind="sum" />
                  <Num row={whole(m)} code='ready_days_mean' kind="mean" />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-municipality="total">
                <th scope="row">{t('dash_total')}</th>
                {p.period.map((mo) => (
                  <Num key={mo} row={monthRow(mo)} code="ready_days" kind="sum" />
                ))}
                <Num row={c.total} code="ready_days" kind="sum" />
                <Num row={c.total} code='ready_days_mean' kind="mean" />
              </tr>
            </tfoot>
          </ScrollTable>
          <SuppressedNote minCell={p.minCell} />
        </>
      )}
    </Panel>
  );
}

// ---- mean ready-days per episode against the target ----

function MeanTarget(p: { B: Load<IndicatorResult>; period: string[]; minCell: number; csv: string }) {
  const [target, setTarget] = useState(loadTarget());
  const [text, setText] = useState(formatNumber(loadTarget(), 1));
  const [bad, setBad] = useState<string | null>(null);
  const b = p.B.data;
  const row = (m: string) => b?.rows.find((r) => r.keys.month === m);
  const onTarget = (v: string) => {
    setText(v);
    const n = Number(v.replace(',', '.').trim());
    if (!Number.isFinite(n) || n <= 0 || n > 365) {
      setBad(t('dash_target_invalid'));
      return;
    }
    setBad(null);
    setTarget(n);
    saveTarget(n);
  };
  const verdict = (r: ValueRow | undefined) => {
    const v = cellValue(r, 'ready_days_mean');
    if (cellState(r, 'ready_days_mean') !== 'value' || v === null) return '';
    return v > target ? t('dash_above_target') : t('dash_within_target');
  };
  return (
    <Panel
      id="dash-mean"
      title={t('dash_mean_title')}
      intro={t('dash_mean_intro')}
      actions={<Download href={p.csv + '&format=csv'} label={t('dash_mean_title')} />}
    >
      <div class="target-row">
        <TextInput
          form="dash"
          name="target"
          label={t('dash_target_label')}
          hint={t('dash_target_hint')}
          value={text}
          onValue={onTarget}
          inputMode="text"
          maxLength={6}
          error={bad ? new ApiError({ status: 400, code: 'validation', detail: bad, field: 'target' }) : null}
        />
      </div>
      {p.B.error ? (
        <Failed error={p.B.error} />
      ) : !b ? (
        <Loading />
      ) : (
        <div class="chart-table even">
          <Chart
            testid="chart-mean"
            label={t('dash_mean_chart').replace('{t}', formatNumber(target, 1))}
            x={p.period}
            xName={t('dash_month')}
            series={[
              {
                label: capital(measureLabel(measureOf(b, 'ready_days_mean'), 'ready_days_mean')),
                values: p.period.map((m) => drawn(m, cellValue(row(m), 'ready_days_mean'))),
                color: '#0b5394',
              },
              {
                label: `${t('dash_target')} (${formatNumber(target, 1)})`,
                values: p.period.map(() => target),
                reference: true,
                color: '#b3261e',
                dash: [8, 4],
                points: false,
              },
            ]}
            format={(v) => formatNumber(v, 1)}
          />
          <ScrollTable id="table-mean" caption={t('dash_mean_table')}>
            <thead>
              <tr>
                <th scope="col">{t('dash_month')}</th>
                <th scope="col" class="num">
                  {t('dash_ready_episodes')}
                </th>
                <th scope="col" class="num">
                  {t('dash_ready_days')}
                </th>
                <th scope="col" class="num">
                  {t('dash_mean_short')}
                </th>
                <th scope="col">{t('dash_vs_target')}</th>
              </tr>
            </thead>
            <tbody>
              {p.period.map((m) => (
                <tr key={m} data-month={m}>
                  <MonthHead month={m} />
                  <Num row={row(m)} code="ready_episodes" kind="count" />
                  <Num row={row(m)} code="ready_days" kind="sum" />
                  <Num row={row(m)} code='ready_days_mean' kind="mean" />
                  <td>{verdict(row(m))}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('dash_total')}</th>
                <Num row={b.total} code="ready_episodes" kind="count" />
                <Num row={b.total} code="ready_days" kind="sum" />
                <Num row={b.total} code='ready_days_mean' kind="mean" />
                <td>{verdict(b.total)}</td>
              </tr>
            </tfoot>
          </ScrollTable>
        </div>
      )}
      <SuppressedNote minCell={p.minCell} />
    </Panel>
  );
}

// ---- yardsticks: mean liable days per municipality against the agreement's target (issue 15.4) ----

function Yardsticks(p: { path: string; minCell: number }) {
  const L = useLoad<IndicatorResult>(p.path);
  const b = L.data;
  const rows = b?.rows ?? [];
  const name = (code: string) => `${orgName(code)} (${code})`;
  const verdict = (r: ValueRow) => {
    const v = cellValue(r, 'liable_days_mean');
    const target = cellValue(r, 'liable_days_target');
    if (v === null || target === null || cellState(r, 'liable_days_mean') !== 'value') return '';
    return v > target ? t('yard_above') : t('yard_within');
  };
  const anyTarget = rows.some((r) => cellValue(r, 'liable_days_target') !== null);
  return (
    <Panel
      id="dash-yardstick"
      title={t('yard_title')}
      intro={t('yard_intro')}
      actions={<Download href={p.path + '&format=csv'} label={t('yard_title')} />}
    >
      {L.error ? (
        <Failed error={L.error} />
      ) : !b ? (
        <Loading />
      ) : (
        <div class="chart-table">
          {anyTarget ? null : (
            <p class="meta" data-testid="yardstick-none">
              {t('yard_none')}
            </p>
          )}
          <Chart
            testid="chart-yardstick"
            label={t('yard_chart')}
            x={rows.map((r) => name(r.keys.municipality ?? ''))}
            xName={t('yard_municipality')}
            rotateLabels
            series={[
              {
                label: t('yard_mean'),
                values: rows.map((r) => cellValue(r, 'liable_days_mean')),
                color: '#0b5394',
                bars: true,
              },
              {
                label: t('yard_target'),
                values: rows.map((r) => cellValue(r, 'liable_days_target')),
                color: '#b3261e',
                width: 0, /* a mark per municipality: a line between two municipalities' targets means nothing */
                points: true,
              },
            ]}
            format={(v) => formatNumber(v, 2)}
          />
          <ScrollTable id="table-yardstick" caption={t('yard_table')}>
            <thead>
              <tr>
                <th scope="col">{t('yard_municipality')}</th>
                <th scope="col" class="num">
                  {t('dash_ready_episodes')}
                </th>
                <th scope="col" class="num">
                  {t('yard_mean')}
                </th>
                <th scope="col" class="num">
                  {t('yard_target')}
                </th>
                <th scope="col" class="num">
                  {t('yard_year')}
                </th>
                <th scope="col">{t('dash_vs_target')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.keys.municipality} data-municipality={r.keys.municipality}>
                  <th scope="row">{name(r.keys.municipality ?? '')}</th>
                  <Num row={r} code="ready_episodes" kind="count" />
                  <Num row={r} code="liable_days_mean" kind="mean" />
                  <Num row={r} code="liable_days_target" kind="mean" />
                  <td class="num">{cellValue(r, 'target_baseline_year') ?? ''}</td>
                  <td data-col="verdict">{verdict(r)}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </div>
      )}
      <SuppressedNote minCell={p.minCell} />
    </Panel>
  );
}

// ---- deadline compliance ----

function Compliance(p: { B: Load<IndicatorResult>; period: string[]; minCell: number; csv: string }) {
  const b = p.B.data;
  const row = (m: string) => b?.rows.find((r) => r.keys.month === m);
  return (
    <Panel
      id="dash-compliance"
      title={t('dash_compliance_title')}
      intro={t('dash_compliance_intro')}
      actions={<Download href={p.csv + '&format=csv'} label={t('dash_compliance_title')} />}
    >
      {p.B.error ? (
        <Failed error={p.B.error} />
      ) : !b ? (
        <Loading />
      ) : (
        <div class="chart-table even">
          <Chart
            testid="chart-compliance"
            label={t('dash_compliance_chart')}
            x={p.period}
            xName={t('dash_month')}
            yMin={0}
            yMax={100}
            series={COMPLIANCE.map((code, i) => ({
              label: capital(measureLabel(measureOf(b, code), code)),
              values: p.period.map((m) => drawn(m, shareSeries(cellValue(row(m), code)))),
              ...seriesStyle(i),
            }))}
            format={pct}
          />
          <ScrollTable id="table-compliance" caption={t('dash_compliance_table')}>
            <thead>
              <tr>
                <th scope="col">{t('dash_month')}</th>
                {COMPLIANCE.map((code) => (
                  <th scope="col" class="num" key={code}>
                    {capital(measureLabel(measureOf(b, code), code))}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.period.map((m) => (
                <tr key={m} data-month={m}>
                  <MonthHead month={m} />
                  {COMPLIANCE.map((code) => (
                    <Num key={code} row={row(m)} code={code} kind="share" />
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('dash_total')}</th>
                {COMPLIANCE.map((code) => (
                  <Num key={code} row={b.total} code={code} kind="share" />
                ))}
              </tr>
            </tfoot>
          </ScrollTable>
        </div>
      )}
      <SuppressedNote minCell={p.minCell} />
    </Panel>
  );
}

// ---- the patients' own experience ----

const SURVEY_SHARES = ['felt_safe_share', 'took_part_share', 'knew_care_contact_share', 'sip_where_wanted_share'];

function SurveyPanel(p: { q: (extra: Record<string, string>) => string; minCell: number }) {
  const [by, setBy] = useState<'track' | 'municipality'>('track');
  const path = '/api/v1/indicators' + p.q({ by, measures: ['survey_answers', ...SURVEY_SHARES].join(',') });
  const s = useLoad<IndicatorResult>(path);
  const r = s.data;
  const keyLabel = (k: string) =>
    by === 'track' ? (k === 'none' ? t('survey_track_none') : capital(codeLabel('colour', k))) : orgName(k);
  return (
    <Panel
      id="dash-survey"
      title={t('dash_survey_title')}
      intro={t('dash_survey_intro')}
      actions={<Download href={path + '&format=csv'} label={t('dash_survey_title')} />}
    >
      <div class="filters">
        <Select
          form="survey-panel"
          name="by"
          label={t('dash_survey_by')}
          value={by}
          onValue={(v) => setBy(v as 'track' | 'municipality')}
          options={[
            { value: 'track', label: t('col_track') },
            { value: 'municipality', label: t('col_municipality') },
          ]}
        />
      </div>
      {s.error ? (
        <Failed error={s.error} />
      ) : !r ? (
        <Loading />
      ) : (
        <div class="chart-table even">
          <Chart
            testid="chart-survey"
            label={t('dash_survey_chart')}
            x={SURVEY_SHARES.map((c) => t(`survey_short_${c}` as 'survey_short_felt_safe_share'))}
            xName={t('dash_survey_question')}
            yMin={0}
            yMax={100}
            series={[
              {
                label: t('dash_survey_yes'),
                values: SURVEY_SHARES.map((c) => shareSeries(cellValue(r.total, c))),
                color: '#1e7b34',
                bars: true,
              },
            ]}
            format={pct}
          />
          <ScrollTable id="table-survey" caption={t('dash_survey_table')}>
            <thead>
              <tr>
                <th scope="col">{by === 'track' ? t('col_track') : t('col_municipality')}</th>
                <th scope="col" class="num">
                  {t('dash_survey_answers')}
                </th>
                {SURVEY_SHARES.map((c) => (
                  <th scope="col" class="num" key={c}>
                    {t(`survey_short_${c}` as 'survey_short_felt_safe_share')}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {r.rows.map((row) => (
                <tr key={row.keys[by]} data-key={row.keys[by]}>
                  <th scope="row">{keyLabel(row.keys[by])}</th>
                  <Num row={row} code="survey_answers" kind="count" />
                  {SURVEY_SHARES.map((c) => (
                    <Num key={c} row={row} code={c} kind="share" />
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('dash_total')}</th>
                <Num row={r.total} code="survey_answers" kind="count" />
                {SURVEY_SHARES.map((c) => (
                  <Num key={c} row={r.total} code={c} kind="share" />
                ))}
              </tr>
            </tfoot>
          </ScrollTable>
        </div>
      )}
      <SuppressedNote minCell={p.minCell} />
    </Panel>
  );
}

// ---- point measurement ----

function PointPanel(p: { municipality: string | null; minCell: number }) {
  const scope = qs({ municipality: p.municipality });
  const now = useLoad<PointResult>('/api/v1/point-measurements/current' + scope);
  const list = useLoad<PointMeasurementList>('/api/v1/point-measurements' + scope);
  // Saved measurements of this scope only (a region's list also holds its municipalities' own).
  const mine = (list.data?.measurements ?? []).filter((m) => (m.municipality ?? null) === p.municipality);
  const latestId = mine[0]?.id ?? null;
  const latest = useLoad<PointResult>(latestId ? `/api/v1/point-measurements/${latestId}${scope}` : null);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string>('');

  const save = async () => {
    if (busy) return;
    setBusy(true);
    setSaveError(null);
    setSaved('');
    try {
      const r = await request<PointResult>('POST', '/api/v1/point-measurements' + scope, {
        body: label.trim() ? { label: label.trim() } : {},
      });
      setSaved(t('point_saved').replace('{id}', String(r.data?.id ?? '')));
      setLabel('');
      list.reload();
      now.reload();
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(false);
    }
  };

  const n = now.data;
  const l = latestId ? latest.data : null;
  const codes = [...new Set([...(n?.municipalities ?? []), ...(l?.municipalities ?? [])].map((c) => c.municipality!))].sort(
    (x, y) => orgName(x).localeCompare(orgName(y), 'sv'),
  );
  const at = (r: PointResult | null, m: string) => r?.municipalities.find((c) => c.municipality === m);
  // the small-cell rule the page states: 1 to minCell - 1 patients are not shown, nor their days or change
  const small = (r: PointResult | null, m: string) => {
    const v = at(r, m)?.patients ?? 0;
    return v > 0 && v < p.minCell;
  };
  const bar = (r: PointResult | null, m: string) => (small(r, m) ? null : (at(r, m)?.patients ?? 0));
  const savedLabel = l ? `${t('point_saved_col')} ${formatInstant(l.at)}${l.label ? ` (${l.label})` : ''}` : '';
  return (
    <Panel
      id="dash-point"
      title={t('point_title')}
      intro={t('point_intro')}
      actions={
        <>
          <Download href={'/api/v1/point-measurements/current' + csvOf(scope)} label={t('point_now')} />
          {latestId ? (
            <Download href={`/api/v1/point-measurements/${latestId}${csvOf(scope)}`} label={savedLabel} />
          ) : null}
        </>
      }
    >
      {now.error ? (
        <Failed error={now.error} />
      ) : !n ? (
        <Loading />
      ) : (
        <>
          <p class="point-summary" data-testid="point-summary">
            {t('point_now_summary')
              .replace('{at}', formatInstant(n.at))
              .replace('{p}', n.patients > 0 && n.patients < p.minCell ? '–' : formatNumber(n.patients))
              .replace('{d}', n.patients > 0 && n.patients < p.minCell ? '–' : formatNumber(n.ready_days))}
          </p>
          <div class="chart-table">
            <Chart
              testid="chart-point"
              label={t('point_chart')}
              x={codes.map((c) => orgName(c).replace(/ kommun$/, ''))}
              xName={t('col_municipality')}
              rotateLabels
              height={300}
              series={[
                { label: t('point_now'), values: codes.map((c) => bar(n, c)), color: '#0b5394', bars: true },
                ...(l
                  ? [{ label: savedLabel, values: codes.map((c) => bar(l, c)), color: '#a15c00', bars: true }]
                  : []),
              ]}
              format={(v) => formatNumber(v, Number.isInteger(v) ? 0 : 1)}
            />
            <ScrollTable id="table-point" caption={t('point_table')}>
              <thead>
                <tr>
                  <th scope="col">{t('col_municipality')}</th>
                  <th scope="col" class="num">
                    {t('point_patients_now')}
                  </th>
                  <th scope="col" class="num">
                    {t('point_days_now')}
                  </th>
                  {l ? (
                    <>
                      <th scope="col" class="num">
                        {savedLabel}
                      </th>
                      <th scope="col" class="num">
                        {t('point_change')}
                      </th>
                    </>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {codes.map((c) => (
                  <tr key={c} data-municipality={c}>
                    <th scope="row">{orgName(c)}</th>
                    <PointNum v={at(n, c)?.patients} minCell={p.minCell} />
                    <PointNum v={at(n, c)?.ready_days} minCell={p.minCell} hide={small(n, c)} />
                    {l ? (
                      <>
                        <PointNum v={at(l, c)?.patients} minCell={p.minCell} />
                        <PointNum
                          v={(at(n, c)?.patients ?? 0) - (at(l, c)?.patients ?? 0)}
                          minCell={p.minCell}
                          hide={small(n, c) || small(l, c)}
                          signed
                        />
                      </>
                    ) : null}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('dash_total')}</th>
                  <PointNum v={n.patients} minCell={p.minCell} />
                  <PointNum v={n.ready_days} minCell={p.minCell} hide={n.patients > 0 && n.patients < p.minCell} />
                  {l ? (
                    <>
                      <PointNum v={l.patients} minCell={p.minCell} />
                      <PointNum
                        v={n.patients - l.patients}
                        minCell={p.minCell}
                        hide={(n.patients > 0 && n.patients < p.minCell) || (l.patients > 0 && l.patients < p.minCell)}
                        signed
                      />
                    </>
                  ) : null}
                </tr>
              </tfoot>
            </ScrollTable>
          </div>
          <SuppressedNote minCell={p.minCell} id="point-suppressed-note" />
        </>
      )}
      <form
        id="point-save"
        class="point-save"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <TextInput
          form="point-save"
          name="label"
          label={t('point_label')}
          hint={t('point_label_hint')}
          value={label}
          onValue={setLabel}
          maxLength={100}
        />
        <div class="field field-button">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('saving') : t('point_save')}
          </button>
        </div>
      </form>
      <p role="status" class="meta" data-testid="point-status">
        {saved}
      </p>
      {saveError ? (
        <p class="field-error" role="alert">
          {errorMessage(saveError)}
        </p>
      ) : null}
      {mine.length > 0 ? (
        <ScrollTable id="table-point-saved" caption={t('point_saved_list')}>
          <thead>
            <tr>
              <th scope="col">{t('point_no')}</th>
              <th scope="col">{t('point_label')}</th>
              <th scope="col">{t('point_at')}</th>
              <th scope="col" class="num">
                {t('point_patients')}
              </th>
              <th scope="col" class="num">
                {t('point_days')}
              </th>
              <th scope="col">
                <span class="sr-only">{t('download_csv')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mine.slice(0, 5).map((m) => (
              <tr key={m.id} data-point={m.id}>
                <th scope="row">{m.id}</th>
                <td>{m.label || '–'}</td>
                <td>{formatInstant(m.at)}</td>
                <td class="num">{formatNumber(m.patients)}</td>
                <td class="num">{formatNumber(m.ready_days)}</td>
                <td>
                  <a href={`/api/v1/point-measurements/${m.id}${csvOf(scope)}`} download>
                    CSV<span class="sr-only"> {t('point_no')} {m.id}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      ) : list.data ? (
        <p class="empty">{t('point_none_saved')}</p>
      ) : null}
    </Panel>
  );
}

/** The query string `scope` ("" or "?municipality=…") with format=csv added. */
const csvOf = (scope: string) => (scope ? scope + '&' : '?') + 'format=csv';

function signed(v: number): string {
  return v > 0 ? `+${formatNumber(v)}` : formatNumber(v);
}

// ---- the holiday forecast ----

const HOLIDAYS: HolidayKey[] = ['christmas', 'summer', 'easter', 'next4w'];

function ForecastPanel(p: { municipality: string | null }) {
  const [holiday, setHoliday] = useState<HolidayKey>('christmas');
  const [series, setSeries] = useState('total');
  // The server's core computes the period's dates (src/core/calendar.c cal_period_next).
  const path = '/api/v1/forecast' + qs({ period: holiday, municipality: p.municipality });
  const f = useLoad<ForecastResult>(path);
  const r = f.data;
  const keyOf = (m: string | null) => m ?? 'total';
  const chosen = r?.series.find((s) => keyOf(s.municipality) === series) ?? r?.series[0];
  const days = chosen?.days ?? [];
  const hasActual = days.some((d) => d.actual !== null);
  const name = (m: string | null) => (m ? `${orgName(m)} (${m})` : t('forecast_total'));
  return (
    <Panel
      id="dash-forecast"
      title={t('forecast_title')}
      intro={t('forecast_intro')}
      actions={<Download href={path + '&format=csv'} label={t('forecast_title')} />}
    >
      <div class="filters">
        <Select
          form="forecast"
          name="period"
          label={t('forecast_period')}
          value={holiday}
          onValue={(v) => setHoliday(v as HolidayKey)}
          options={HOLIDAYS.map((h) => ({ value: h, label: t(`forecast_${h}` as 'forecast_christmas') }))}
        />
        <Select
          form="forecast"
          name="series"
          label={t('forecast_series')}
          value={chosen ? keyOf(chosen.municipality) : series}
          onValue={setSeries}
          options={(r?.series ?? []).map((s) => ({ value: keyOf(s.municipality), label: name(s.municipality) }))}
        />
      </div>
      {f.error ? (
        <Failed error={f.error} />
      ) : !r || !chosen ? (
        <Loading />
      ) : (
        <>
          <p class="meta" data-testid="forecast-summary">
            {t('forecast_summary')
              .replace('{from}', formatDate(r.from, true))
              .replace('{to}', formatDate(r.to, true))
              .replace('{origin}', r.origin)
              .replace('{years}', String(chosen.years_used))
              .replace('{trend}', chosen.trend === null ? '–' : formatNumber(chosen.trend, 2))}
          </p>
          <div class="chart-table">
            <Chart
              testid="chart-forecast"
              label={t('forecast_chart').replace('{s}', name(chosen.municipality))}
              x={days.map((d) => d.date.slice(5))}
              xName={t('forecast_date')}
              series={[
                { label: t('forecast_high'), values: days.map((d) => d.high), color: '#5b7fa8', width: 1, points: false },
                { label: t('forecast_low'), values: days.map((d) => d.low), color: '#5b7fa8', width: 1, points: false },
                { label: t('forecast_expected'), values: days.map((d) => d.expected), color: '#0b5394', width: 2.5 },
                ...(hasActual
                  ? [{ label: t('forecast_actual'), values: days.map((d) => d.actual), color: '#b3261e', dash: [6, 3] }]
                  : []),
              ]}
              band={[0, 1]}
              format={(v) => formatNumber(v, 1)}
            />
            <ScrollTable id="table-forecast" caption={t('forecast_table').replace('{s}', name(chosen.municipality))} tall>
              <thead>
                <tr>
                  <th scope="col">{t('forecast_date')}</th>
                  <th scope="col" class="num">
                    {t('forecast_expected')}
                  </th>
                  <th scope="col" class="num">
                    {t('forecast_band')}
                  </th>
                  {hasActual ? (
                    <th scope="col" class="num">
                      {t('forecast_actual')}
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {days.map((d) => (
                  <tr key={d.date}>
                    <th scope="row">{formatDate(d.date, true)}</th>
                    <td class="num">{d.expected === null ? '' : formatNumber(d.expected, 1)}</td>
                    <td class="num">
                      {d.low === null || d.high === null ? '' : `${formatNumber(d.low, 1)}–${formatNumber(d.high, 1)}`}
                    </td>
                    {hasActual ? <td class="num">{d.actual === null ? '' : formatNumber(d.actual, 0)}</td> : null}
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          </div>
        </>
      )}
    </Panel>
  );
}
