// followup.mjs - the browser tests of the follow-up dashboard and the patient
// survey (issue 6), run by run.mjs:
//   survey: ward staff create a single-use link on the discharged episode; a
//     fresh browser context without cookies opens it, sees no patient data and
//     answers once; a second answer is refused (page and API); a phone answer
//     for the same episode is refused; an unknown link says so.
//   dashboard (on a second server with a larger demo region, so that some cells
//     pass the small-cell threshold and some do not): the region analyst's
//     charts, tables and key figures; no identity anywhere (page text and every
//     API answer the page received); a suppressed cell shows "–" where the API
//     says so, a figure where it does not; the CSV download is the API's table;
//     the target changes the verdicts; a point measurement is taken and saved;
//     the forecast's band and table; the municipal analyst sees only their
//     municipality (and the API refuses another); invoice officers and admins
//     reach it; tablet width; axe-core; screenshots.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, axeViolations, eq } from './lib.mjs';

/** A Swedish personnummer or samordningsnummer, with or without century and separator. */
export const PNR_RE = /(?<![\d-])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+]?\d{4}(?!\d)/;

/** Polls `check` (an async function) until it is true, for at most 10 s. */
async function until(check, what) {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('timed out waiting for ' + what);
}

const CHARTS = ['chart-ready', 'chart-mean', 'chart-compliance', 'chart-survey', 'chart-point', 'chart-forecast'];

async function loginAt(page, url, username) {
  await page.goto(url + '/');
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill('demo');
  await page.locator('#login button[type=submit]').click();
  await page.locator('[data-testid=who]').waitFor();
}

/** Waits until the dashboard has drawn every chart and its tables. */
async function dashboardReady(page) {
  // The dashboard asks for a year of indicators (and, under ASan on a busy 2-core machine, that can
  // take longer than the default 10 s): a bound, not a speed requirement.
  const timeout = 45_000;
  await page.locator('[data-testid=dashboard]').waitFor({ timeout });
  for (const id of CHARTS) await page.locator(`[data-testid=${id}] canvas`).first().waitFor({ timeout });
  for (const id of ['table-ready', 'table-mean', 'table-compliance', 'table-survey', 'table-point', 'table-forecast'])
    await page.locator(`#${id} tbody tr`).first().waitFor({ timeout });
}

/** Every JSON answer from /api/ that a page receives, for the identity check. */
function recordApi(page, into) {
  page.on('response', async (res) => {
    if (!res.url().includes('/api/')) return;
    try {
      into.push({ url: res.url(), body: await res.text() });
    } catch {
      /* a body that is gone (redirect, aborted) */
    }
  });
}

/**
 * @param t {{r, newSession, server, db2, ARTIFACTS, DOCS_IMG, WAIT, episodeId: () => number, W: () => any,
 *            patient, demo2: Promise<{server, logins}>}}
 */
export async function surveySteps(t) {
  const { r } = t;
  let link = '';

  await r.step('ward: creates a single-use survey link on the discharged episode', async () => {
    const p = t.W().page;
    await p.goto(`${t.server().url}/episodes/${t.episodeId()}`);
    await p.locator('[data-testid=survey-staff]').waitFor();
    await p.locator('button[data-action=survey-link]').click();
    link = await p.locator('#survey-link-url').inputValue();
    assert(new RegExp(`^${t.server().url}/survey/[A-Za-z0-9_-]{43}$`).test(link), 'a link with a 43-character token: ' + link);
    assert((await p.locator('#survey-link-hint').innerText()).match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/), 'the expiry is shown');
  });

  await r.step('patient: opens the link without a login, sees no patient data, answers once', async () => {
    const S = await t.newSession('survey-patient');
    eq((await S.ctx.cookies()).length, 0, 'no cookies in the fresh context');
    const apis = [];
    recordApi(S.page, apis);
    await S.page.goto(link);
    await S.page.locator('[data-testid=survey-open]').waitFor();
    eq(await S.page.locator('#login').count(), 0, 'no login form');
    eq(await S.page.locator('header nav').count(), 0, 'no menu');
    const text = await S.page.locator('body').innerText();
    assert(!text.includes(t.patient.name) && !text.includes(t.patient.pnr), 'no patient name or number on the page');
    assert(!PNR_RE.test(text), 'no personnummer pattern on the page');
    for (const a of apis) assert(!a.body.includes(t.patient.name) && !PNR_RE.test(a.body), 'no patient data from ' + a.url);
    eq(await S.page.locator('fieldset.survey-q').count(), 5, 'who answers and four questions');
    // nothing answered: the form says so before sending
    await S.page.locator('#survey button[type=submit]').click();
    await S.page.locator('#survey .form-error').waitFor();
    await S.page.locator('label[for="survey-respondent-next_of_kin"]').click();
    await S.page.locator('label[for="survey-felt_safe-yes"]').click();
    await S.page.locator('label[for="survey-took_part-no"]').click();
    // keyboard: the radios of a question are one tab stop, arrows choose
    await S.page.locator('#survey-knew_care_contact-skip').focus();
    await S.page.keyboard.press('ArrowLeft');
    eq(await S.page.locator('#survey-knew_care_contact-no').isChecked(), true, 'arrow keys choose an answer');
    await S.page.locator('#survey-comment').fill('Bra bemötande, men hemtjänsten kom sent första dagen.');
    const violations = await axeViolations(S.page);
    assert(violations.length === 0, 'axe on the survey page:\n      ' + violations.join('\n      '));
    await S.page.screenshot({ path: join(t.ARTIFACTS, 'survey.png'), fullPage: true });
    await S.page.locator('#survey button[type=submit]').click();
    await S.page.locator('[data-testid=survey-done]').waitFor();
    await S.ctx.close();
  });

  await r.step('the same link is refused a second time (page and API)', async () => {
    const S = await t.newSession('survey-again');
    await S.page.goto(link);
    await S.page.locator('[data-testid=survey-closed]').waitFor();
    const status = await S.page.evaluate(async (u) => {
      const res = await fetch(u, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ respondent: 'patient', felt_safe: false }),
      });
      return res.status;
    }, link.replace('/survey/', '/api/v1/survey/'));
    eq(status, 410, 'a second answer');
    await S.page.screenshot({ path: join(t.ARTIFACTS, 'survey-closed.png') });
    await S.page.goto(t.server().url + '/survey/' + 'A'.repeat(43));
    await S.page.locator('[data-testid=survey-missing]').waitFor();
    await S.ctx.close();
  });

  await r.step('ward: a phone answer for the same episode is refused (one answer per episode)', async () => {
    const p = t.W().page;
    // The ward's page refreshes itself every few seconds: once it has seen the link's answer it shows the
    // survey as answered and no longer offers a phone answer. Either way the server must refuse a second one.
    const phone = p.locator('button[data-action=survey-phone]');
    const answered = p.locator('[data-testid=survey-answered]');
    await phone.or(answered).first().waitFor();
    if ((await phone.count()) === 0) {
      const refused = await p.evaluate(async (id) => {
        const res = await fetch(`/api/v1/episodes/${id}/survey-answers`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ respondent: 'patient', felt_safe: true }),
        });
        return [res.status, (await res.json()).code];
      }, t.episodeId());
      eq(refused.join(' '), '409 already_answered', 'the page already shows it answered; the server refuses a phone answer');
      return;
    }
    await phone.click();
    await p.locator('#survey-phone').waitFor();
    await p.locator('label[for="survey-phone-felt_safe-yes"]').click();
    await p.locator('#survey-phone button[type=submit]').click();
    const status = p.locator('[data-testid=survey-phone-status]');
    await status.filter({ hasText: /besvarad/ }).waitFor();
    eq(await p.locator('#survey-phone').count(), 0, 'the form closed');
  });

  await r.step('ward: after a reload the episode says the survey is answered, without the replies', async () => {
    const p = t.W().page;
    await p.reload();
    const answered = p.locator('[data-testid=survey-answered]');
    await answered.waitFor();
    const text = await answered.innerText();
    assert(/länk/.test(text) && /[Nn]ärstående/.test(text), 'answered through the link by next of kin: ' + text);
    eq(await p.locator('button[data-action=survey-link], button[data-action=survey-phone]').count(), 0,
      'no new link or phone answer for an answered episode');
    assert(!(await p.locator('main').innerText()).includes('hemtjänsten kom sent'), 'the free text is not shown');
  });
}

export async function dashboardSteps(t) {
  const { r } = t;
  let D; // the second server: { server, logins }
  let A; // the region analyst's session
  const apis = [];

  await r.step('dashboard: a second server with a larger demo region', async () => {
    D = await t.demo2;
    assert(D.server && D.logins.some((l) => l.username === 'analytiker'), 'the demo has the analysts');
  }, { flow: false });

  await r.step('region analyst: the start page is the dashboard, with charts, tables and key figures', async () => {
    A = await t.newSession('analytiker');
    recordApi(A.page, apis);
    await loginAt(A.page, D.server.url, 'analytiker');
    await dashboardReady(A.page);
    const nav = await A.page.locator('header nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert(!nav.includes('/episodes') && !nav.includes('/search'), 'no patient lists for an analyst: ' + nav);
    eq(await A.page.locator('[data-testid=dashboard]').getAttribute('data-scope'), 'county', 'the county scope');
    const munis = await A.page.locator('#table-ready tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.municipality));
    assert(munis.length >= 10 && munis.every((m) => /^20\d\d$/.test(m)), 'every municipality of Dalarna: ' + munis);
    assert((await A.page.locator('#dash-kpi .kpi').count()) >= 8, 'key figures');
    const mean = await A.page.locator('#dash-kpi [data-measure=ready_days_mean] dd').innerText();
    assert(/^\d+,\d$/.test(mean.trim()), 'the mean in Swedish format: ' + mean);
    // each chart's canvas has been drawn on (not blank)
    for (const id of CHARTS) {
      const inked = await A.page.locator(`[data-testid=${id}] canvas`).first().evaluate((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
      assert(inked > 500, `${id} is drawn (${inked} pixels)`);
      eq(await A.page.locator(`[data-testid=${id}]`).getAttribute('role'), 'img', `${id} is an image with a label`);
    }
    await A.page.screenshot({ path: join(t.ARTIFACTS, 'dashboard.png'), fullPage: true });
    if (t.DOCS_IMG) {
      // the README's picture: the top of the page with the key figures and the first chart
      await A.page.setViewportSize({ width: 1366, height: 1100 });
      await A.page.screenshot({ path: join(t.DOCS_IMG, 'dashboard.png') });
      await A.page.setViewportSize({ width: 1366, height: 768 });
    }
  }, { flow: false });

  await r.step('dashboard: no identity anywhere (page text and every API answer)', async () => {
    assert(A, 'the analyst is logged in');
    const text = await A.page.locator('body').innerText();
    const m = PNR_RE.exec(text);
    assert(!m, 'a personnummer pattern on the page: ' + (m && m[0]));
    const html = await A.page.content();
    assert(!PNR_RE.test(html.replace(/<[^>]+>/g, ' ')), 'no personnummer pattern in the markup');
    assert(apis.length >= 6, 'the page asked the API: ' + apis.length);
    for (const a of apis) {
      assert(!/personnummer|patient_list|"name":"[^"]*"\s*,\s*"personnummer"/.test(a.body), 'identity fields from ' + a.url);
      assert(!PNR_RE.test(a.body), 'a personnummer pattern from ' + a.url);
      assert(!/"comment"/.test(a.body), 'a survey free text from ' + a.url);
    }
  }, { flow: false });

  await r.step('dashboard: suppressed cells show "–" with the explanation, exactly where the API suppresses', async () => {
    const res = await A.page.evaluate(async () => {
      const url = [...document.querySelectorAll('#dash-ready a.download')][0].getAttribute('href').replace('&format=csv', '');
      return (await fetch(url)).json();
    });
    // by the column's month, not its text: the month under way says so in its heading
    const months = await A.page.locator('#table-ready thead th').evaluateAll((ths) => ths.map((th) => th.dataset.month ?? th.textContent.trim()));
    const cellOf = (row) =>
      A.page.locator(`#table-ready tbody tr[data-municipality="${row.keys.municipality}"] td`).nth(months.indexOf(row.keys.month) - 1);
    const sup = res.rows.filter((x) => x.suppressed?.includes('ready_days'));
    const shown = res.rows.filter((x) => !x.suppressed?.includes('ready_days') && typeof x.values.ready_days === 'number');
    assert(sup.length > 0 && shown.length > 0, `both kinds of cell (suppressed ${sup.length}, shown ${shown.length})`);
    for (const row of sup.slice(0, 5)) {
      eq(row.values.ready_days, null, 'a suppressed value is null');
      const td = cellOf(row);
      eq(await td.getAttribute('data-suppressed'), 'true', `suppressed cell ${row.keys.municipality} ${row.keys.month}`);
      assert((await td.innerText()).startsWith('–'), 'shown as –');
      assert((await td.locator('.sr-only').innerText()).length > 5, 'explained to screen readers');
    }
    for (const row of shown.slice(0, 5)) {
      const td = cellOf(row);
      eq(await td.getAttribute('data-suppressed'), null, 'not suppressed');
      eq((await td.innerText()).replace(/\s/g, ''), String(row.values.ready_days), `value ${row.keys.municipality} ${row.keys.month}`);
    }
    const note = await A.page.locator('#dash-ready .table-note').last().innerText();
    assert(note.includes(`färre än ${res.min_cell}`), 'the note explains the threshold: ' + note);
  }, { flow: false });

  await r.step('dashboard: the CSV download is the API table', async () => {
    const link = A.page.locator('#dash-ready a.download').first();
    const href = await link.getAttribute('href');
    const [dl] = await Promise.all([A.page.waitForEvent('download'), link.click()]);
    assert(/\.csv$/.test(dl.suggestedFilename()), 'a .csv file: ' + dl.suggestedFilename());
    const csv = readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    eq(csv[0], 'municipality,month,ready_days,ready_days_mean,ready_nights', 'header row');
    const json = await A.page.evaluate(async (u) => (await fetch(u.replace('&format=csv', ''))).json(), href);
    eq(csv.length - 1, json.table.rows.length, 'one line per row of the API table');
    for (let i = 0; i < json.table.rows.length; i++) {
      const want = json.table.rows[i].map((v) => (v === null ? '' : String(v))).join(',');
      eq(csv[i + 1].replace(/"/g, ''), want, `line ${i + 1}`);
    }
    assert(csv.some((l) => /^"?20\d\d"?,"?\d{4}-\d\d"?,,/.test(l)), 'a suppressed cell is an empty field');
    assert(/^"?total"?,/.test(csv[csv.length - 1]), 'the total row last');
    const [dl2] = await Promise.all([A.page.waitForEvent('download'), A.page.locator('#dash-forecast a.download').click()]);
    const fc = readFileSync(await dl2.path(), 'utf8').split(/\r?\n/);
    eq(fc[0], 'municipality,date,expected,low,high,actual', 'forecast CSV header');
  }, { flow: false });

  await r.step('dashboard: the target for the mean changes the verdicts; a bad target is explained', async () => {
    const verdictsAre = (want) =>
      until(async () => {
        const v = (await A.page.locator('#table-mean tbody td:last-child').allInnerTexts()).filter(Boolean);
        return v.length > 0 && v.every((x) => x === want);
      }, `every verdict "${want}"`);
    await A.page.locator('#dash-target').fill('100');
    await verdictsAre('inom målet');
    await A.page.locator('#dash-target').fill('0,5');
    await verdictsAre('över målet');
    await A.page.locator('#dash-target').fill('x');
    await A.page.locator('#dash-target-err').waitFor();
    eq(await A.page.locator('#dash-target').getAttribute('aria-invalid'), 'true', 'aria-invalid');
    await A.page.locator('#dash-target').fill('4,5');
    await A.page.locator('#dash-target-err').waitFor({ state: 'detached' });
  }, { flow: false });

  await r.step('dashboard: a point measurement is taken and saved, and shown as the latest', async () => {
    const p = A.page;
    await p.locator('#point-save-label').fill('e2e vecka');
    await p.locator('#point-save button[type=submit]').click();
    await p.locator('[data-testid=point-status]', { hasText: /sparad \(nr \d+\)/ }).waitFor();
    await p.locator('#table-point-saved tbody tr', { hasText: 'e2e vecka' }).waitFor();
    await p.locator('#table-point thead th', { hasText: 'e2e vecka' }).waitFor();
    const total = await p.locator('#table-point tfoot td').allInnerTexts();
    eq(total.length, 4, 'now, days, saved, change');
    eq(total[3].trim(), '0', 'no change right after saving');
  }, { flow: false });

  await r.step('dashboard: the forecast has its band and table; another holiday and series can be chosen', async () => {
    const p = A.page;
    const rows = await p.locator('#table-forecast tbody tr').count();
    assert(rows >= 14, 'a row per day: ' + rows);
    const band = await p.locator('#table-forecast tbody tr td').nth(1).innerText();
    assert(/^\d+,\d–\d+,\d$/.test(band.trim()), 'the band low–high: ' + band);
    await p.locator('#forecast-period').selectOption('summer');
    await p.locator('#dash-forecast [data-testid=forecast-summary]', { hasText: /-0[6-8]-/ }).waitFor();
    await p.locator('#forecast-series').selectOption('2080');
    await p.locator('#table-forecast-cap', { hasText: '2080' }).waitFor();
  }, { flow: false });

  await r.step('municipal analyst: sees only their municipality; the API refuses another', async () => {
    const M = await t.newSession('analytiker-falun');
    const mApis = [];
    recordApi(M.page, mApis);
    await loginAt(M.page, D.server.url, 'analytiker-falun');
    await dashboardReady(M.page);
    eq(await M.page.locator('[data-testid=dashboard]').getAttribute('data-scope'), '2080', 'the scope');
    assert((await M.page.locator('[data-testid=scope-fixed]').innerText()).includes('2080'), 'the municipality is fixed');
    eq(await M.page.locator('#dash-municipality').count(), 0, 'no municipality picker');
    for (const id of ['table-ready', 'table-point']) {
      const ms = await M.page.locator(`#${id} tbody tr`).evaluateAll((trs) => trs.map((tr) => tr.dataset.municipality));
      assert(ms.length > 0 && ms.every((m) => m === '2080'), `${id}: only 2080: ${ms}`);
    }
    const series = await M.page.locator('#forecast-series option').evaluateAll((os) => os.map((o) => o.value));
    assert(series.every((s) => s === '2080' || s === 'total'), 'forecast series: ' + series);
    for (const a of mApis.filter((x) => x.url.includes('/api/v1/indicators?')))
      for (const m of a.body.match(/"municipality":\s*"\d{4}"/g) ?? []) assert(m.includes('2080'), 'another municipality in ' + a.url);
    const status = await M.page.evaluate(async () => (await fetch('/api/v1/indicators?from=2026-01-01&to=2026-01-31&municipality=2081')).status);
    eq(status, 403, 'another municipality from the API');
    await M.page.screenshot({ path: join(t.ARTIFACTS, 'dashboard-municipality.png'), fullPage: true });
    // English
    await M.page.getByRole('button', { name: 'In English' }).click();
    await M.page.locator('h1', { hasText: 'Follow-up' }).waitFor();
    await M.page.locator('#dash-ready-h', { hasText: 'Ready-days per month and municipality' }).waitFor();
    await M.page.getByRole('button', { name: 'På svenska' }).click();
    await M.ctx.close();
  }, { flow: false });

  await r.step('invoice officer and administrator reach the dashboard', async () => {
    const F = await t.newSession('faktura-region');
    await loginAt(F.page, D.server.url, 'faktura-region');
    await F.page.locator('header nav a[href="/dashboard"]').click();
    await F.page.locator('[data-testid=dashboard]').waitFor();
    await F.page.locator('#table-ready tbody tr').first().waitFor();
    await F.ctx.close();
    const Ad = await t.newSession('admin');
    await loginAt(Ad.page, D.server.url, 'admin');
    await Ad.page.locator('[data-testid=dashboard]').waitFor();
    await Ad.ctx.close();
  }, { flow: false });

  await r.step('dashboard: tablet width without sideways scrolling; keyboard reaches the tables', async () => {
    const T = await t.newSession('analytiker-tablet', { width: 768, height: 1024 });
    await loginAt(T.page, D.server.url, 'analytiker');
    await dashboardReady(T.page);
    const [sw, iw] = await T.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert(sw <= iw, `the page scrolls sideways at 768 px (${sw} > ${iw})`);
    const cw = await T.page.locator('[data-testid=chart-ready] canvas').first().evaluate((c) => c.getBoundingClientRect().width);
    assert(cw <= iw, `the chart fits (${cw})`);
    eq(await T.page.locator('#table-ready').evaluate((el) => el.parentElement.tabIndex), 0, 'a wide table scrolls by keyboard');
    await T.page.screenshot({ path: join(t.ARTIFACTS, 'dashboard-tablet.png'), fullPage: true });
    await T.ctx.close();
    const [sw2, iw2] = await A.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert(sw2 <= iw2, `the page scrolls sideways at 1366 px (${sw2} > ${iw2})`);
  }, { flow: false });

  await r.step('WCAG 2.1 AA (axe-core): the dashboard', async () => {
    const v = await axeViolations(A.page);
    assert(v.length === 0, 'violations:\n      ' + v.join('\n      '));
  }, { flow: false });

  return () => D?.server;
}
