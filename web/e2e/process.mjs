// process.mjs - browser tests of the care process steps (issue 14 items 1, 3, 4, 7; issue 18 items 3, 4) in
// Debian's chromium against the real server on a fresh demo database:
//   the ward records LPT and calls the samordnad vårdplan, and the discharge form warns while the plan is not
//   established; the municipality takes the report, the application, decides with its services and plans the
//   date it can receive the patient, and the ward's ready list shows it is not ready yet; IFO records children
//   as relatives, which every party sees; the information transfer's checklist with an item missing is a
//   deviation on the episode page and on the ward's worklist after the discharge.
// Usage: HEMGANG=build/asan/hemgang node web/e2e/process.mjs (tests/web/process.sh builds web/dist first).
// Prints "process: N passed, N failed"; exit status 1 when anything failed.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runner, assert, eq, launchBrowser, makeDemo, randomPersonnummer, startServer, stopServer, tempDir } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEMGANG = resolve(repo, process.env.HEMGANG || 'build/release/hemgang');
const ARTIFACTS = resolve(repo, process.env.HEMGANG_ARTIFACTS || 'test-artifacts');
const WAIT = 15_000;
const TOTAL_BUDGET = 200_000;
const r = new Runner('process');
const tmp = tempDir();
mkdirSync(ARTIFACTS, { recursive: true });
let server = null;
let browser = null;

const watchdog = setTimeout(async () => {
  console.log(`not ok - the whole run exceeded ${TOTAL_BUDGET / 1000} s`);
  r.failed++;
  r.summary();
  await stopServer(server);
  process.exit(1);
}, TOTAL_BUDGET);

async function api(cookie, method, path, body) {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, headers: res.headers };
}

async function apiLogin(username) {
  const res = await api(null, 'POST', '/api/v1/session', { username, password: 'demo' });
  eq(res.status, 200, `API login ${username}`);
  return (res.headers.get('set-cookie') || '').split(';')[0];
}

const pageErrors = [];
async function newSession(user) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
  ctx.setDefaultTimeout(WAIT);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${user}: ${e.message}`));
  await page.goto(server.url + '/');
  await page.locator('#login-username').fill(user);
  await page.locator('#login-password').fill('demo');
  await page.locator('#login button[type=submit]').click();
  await page.locator('[data-testid=who]').waitFor();
  await page.locator('.worklist, main .card').first().waitFor();
  return { ctx, page };
}

async function openEpisode(page, id) {
  await page.goto(`${server.url}/episodes/${id}`);
  await page.locator(`.episode[data-episode="${id}"]`).waitFor();
}

async function openForm(page, type) {
  await page.locator(`button[data-form="${type}"]`).click();
  await page.locator(`#form-${type}`).waitFor();
}

async function sendForm(page, type) {
  const before = await page.locator(`ol.timeline > li[data-type="${type}"]`).count();
  await page.locator(`#form-${type} button[type=submit]`).click();
  await page.locator(`ol.timeline > li[data-type="${type}"]`).nth(before).waitFor();
}

const iso = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR = 3_600_000;
function localDate(days) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + days * 86_400_000));
}

let units = {};
let lpt = 0;
let out = 0;
try {
  await r.step('start the real server on a fresh demo database; two patients through the API', async () => {
    makeDemo(HEMGANG, join(tmp, 'process.db'), 20);
    server = await startServer(HEMGANG, join(tmp, 'process.db'), resolve(repo, 'web', 'dist'), createWriteStream(join(tmp, 'server.log')));
    browser = await launchBrowser();
    const cookies = {};
    for (const u of ['avd12', 'vc-falun', 'bist-falun', 'ifo-falun']) {
      cookies[u] = await apiLogin(u);
      units[u] = (await api(cookies[u], 'GET', '/api/v1/session')).json.user.units[0];
    }
    for (const [name, ready] of [['Tvånga Planesson', false], ['Lista Saknadsson', true]]) {
      const adm = await api(cookies.avd12, 'POST', '/api/v1/episodes', {
        occurred_at: iso(-30 * HOUR),
        ward: units.avd12,
        patient: { personnummer: randomPersonnummer(), name, registered_municipality: '2080', primary_care_unit: units['vc-falun'], address: 'Åsgatan 3, 791 71 Falun' },
      });
      eq(adm.status, 201, `admitted ${name}`);
      const id = adm.json.episode_id;
      const evs = [
        { type: 'admission_notice', occurred_at: iso(-29 * HOUR), reason: 'psychiatric', expected_discharge_date: localDate(3),
          recipients: [{ unit: units['vc-falun'] }, { unit: units['bist-falun'] }, { unit: units['ifo-falun'] }] },
      ];
      if (ready) evs.push({ type: 'ready_for_discharge', occurred_at: iso(-5 * HOUR) });
      for (const ev of evs) eq((await api(cookies.avd12, 'POST', `/api/v1/episodes/${id}/events`, ev)).status, 201, ev.type);
      if (ready) out = id;
      else lpt = id;
    }
  });

  await r.step('ward: records LPT, calls the samordnad vårdplan; the discharge form warns while it is not established', async () => {
    const W = await newSession('avd12');
    const p = W.page;
    await openEpisode(p, lpt);
    let forms = await p.locator('button[data-form]').evaluateAll((bs) => bs.map((b) => b.dataset.form));
    assert(forms.includes('legal_form_set'), 'the ward is offered the legal form: ' + forms);
    assert(!forms.includes('care_plan_called'), 'no care plan before a legal form');
    await openForm(p, 'legal_form_set');
    await p.locator('#form-legal_form_set-legal_form').selectOption('lpt');
    await sendForm(p, 'legal_form_set');
    await p.locator('[data-fact=care_plan]').getByText('LPT 7 a §').waitFor();
    await openForm(p, 'care_plan_called');
    await p.locator('#form-care_plan_called-place').selectOption('hospital');
    await sendForm(p, 'care_plan_called');
    await openForm(p, 'ready_for_discharge');
    await sendForm(p, 'ready_for_discharge');
    await p.locator('[data-testid=care-todos] [data-todo=care_plan_missing]').waitFor();
    await openForm(p, 'discharged');
    const warn = await p.locator('[data-testid=discharge-warnings]').innerText();
    assert(/samordnade vårdplanen/.test(warn), 'the discharge form warns: ' + warn);
    const deadlines = await p.locator('section[aria-labelledby=deadlines-h]').innerText();
    assert(/samordnad vårdplan/i.test(deadlines), 'the plan has its own deadline: ' + deadlines);
    await p.screenshot({ path: join(ARTIFACTS, 'process-lpt.png'), fullPage: true });
    await W.ctx.close();
  });

  await r.step('municipality: the report, the application, a decision with its services and the plan on its page', async () => {
    const M = await newSession('bist-falun');
    const p = M.page;
    await openEpisode(p, lpt);
    for (const type of ['municipal_report_received', 'municipal_patient_contacted', 'municipal_application_received']) {
      await openForm(p, type);
      await sendForm(p, type);
    }
    await openForm(p, 'municipal_decision');
    await p.locator('#form-municipal_decision-outcome').selectOption('granted');
    await p.locator('#form-municipal_decision-services-home_care').check();
    await p.locator('#form-municipal_decision-services-safety_alarm').check();
    await sendForm(p, 'municipal_decision');
    await openForm(p, 'municipal_plan');
    await p.locator('#form-municipal_plan-can_receive_on').fill(localDate(2));
    await p.locator('#form-municipal_plan-services-home_care').check();
    await sendForm(p, 'municipal_plan');
    const decision = await p.locator('[data-testid=municipal-decision]').innerText();
    assert(/beviljat/.test(decision) && /hemtjänst/.test(decision) && /trygghetslarm/.test(decision), 'the decision and its services: ' + decision);
    const plan = await p.locator('[data-testid=municipal-plan]').innerText();
    assert(plan.includes(localDate(2)), 'the date it can receive the patient: ' + plan);
    await p.screenshot({ path: join(ARTIFACTS, 'process-municipality.png'), fullPage: true });
    await M.ctx.close();
  });

  await r.step("ward: the ready list shows the municipality is not ready yet, and from which date", async () => {
    const W = await newSession('avd12');
    const cell = W.page.locator(`#wl-ready tr[data-episode="${lpt}"] td[data-care]`);
    const text = await cell.innerText();
    assert(/Kommunen ej klar/.test(text) && text.includes(localDate(2)), 'the ready row: ' + text);
    await W.ctx.close();
  });

  await r.step('IFO: records children as relatives; primary care sees it on the episode', async () => {
    const I = await newSession('ifo-falun');
    await openEpisode(I.page, lpt);
    await openForm(I.page, 'children_as_relatives_recorded');
    assert(await I.page.locator('#form-children_as_relatives_recorded-children_as_relatives').isChecked(), 'ticked by default');
    await sendForm(I.page, 'children_as_relatives_recorded');
    await I.ctx.close();
    const P = await newSession('vc-falun');
    await openEpisode(P.page, lpt);
    eq((await P.page.locator('[data-fact=children_as_relatives] dd').innerText()).trim(), 'Ja', 'primary care sees children as relatives');
    await P.ctx.close();
  });

  await r.step('ward: the information transfer with an item missing is a deviation on the page and the worklist', async () => {
    const W = await newSession('avd12');
    const p = W.page;
    await openEpisode(p, out);
    await openForm(p, 'information_transferred');
    await p.locator('#form-information_transferred-items-medication_list').check();
    await p.locator('#form-information_transferred-items-booked_appointments').check();
    await sendForm(p, 'information_transferred');
    await openForm(p, 'discharged');
    await p.locator('#form-discharged-destination').selectOption('own_home');
    await sendForm(p, 'discharged');
    const missing = await p.locator('[data-testid=items-missing]').innerText();
    assert(/utskrivningsinformation/.test(missing) && /hjälpmedel/.test(missing) && !/läkemedelslista/.test(missing),
      'the missing items: ' + missing);
    await p.locator('[data-testid=care-todos] [data-todo=information_missing]').waitFor();
    await p.goto(server.url + '/');
    const row = p.locator(`tr[data-episode="${out}"] td[data-care] [data-todo=information_missing]`);
    await row.first().waitFor();
    await p.screenshot({ path: join(ARTIFACTS, 'process-worklist.png'), fullPage: true });
    await W.ctx.close();
  });

  await r.step('municipality: the discharge notice is in its worklist to acknowledge', async () => {
    const M = await newSession('bist-falun');
    const rows = await M.page.locator('#wl-new tbody tr').evaluateAll((trs) => trs.map((tr) => tr.innerText));
    assert(rows.some((t) => t.includes('Lista Saknadsson') && /\bUtskrivning\b/.test(t)), 'a discharge notice in the worklist: ' + rows.join(' | '));
    await M.ctx.close();
  });

  await r.step('no page errors', async () => {
    eq(pageErrors.length, 0, 'page errors: ' + pageErrors.join('; '));
  });
} catch (e) {
  r.failed++;
  console.log('not ok - harness: ' + (e && e.stack ? e.stack : e));
} finally {
  try {
    await browser?.close();
  } catch {
    /* closing anyway */
  }
  await stopServer(server);
  clearTimeout(watchdog);
  r.summary();
  process.exit(r.failed === 0 && r.passed > 0 ? 0 : 1);
}
