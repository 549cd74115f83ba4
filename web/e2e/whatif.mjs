// whatif.mjs - the browser test of the what-if page (issue 15.5, /whatif) in
// Debian's chromium against the real server on a fresh demo region whose
// invoices of the last 13 months were built (and one sent):
//   the region's analyst finds the page in the navigation, compares the
//   agreement in force (ticked among the imported ones) with one uploaded as a
//   JSON file at twice the amount; the table shows the invoiced amount beside
//   each agreement on every row (the agreement in force = the invoice, "ingen
//   faktura" where none was built, twice the amount = twice every figure) and
//   the chart is drawn; a municipality's analyst sees only its municipality
//   and is told so; English can be chosen; ward staff get no link; axe-core
//   finds no WCAG 2.1 AA violation and the page does not scroll sideways.
// Usage: HEMGANG=build/release/hemgang node web/e2e/whatif.mjs; prints "whatif-web: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kronor, recentMonths } from './invoices.mjs';
import { Runner, assert, axeViolations, eq, launchBrowser, makeDemo, startServer, stopServer, tempDir } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEMGANG = resolve(repo, process.env.HEMGANG || 'build/release/hemgang');
const ARTIFACTS = resolve(repo, process.env.HEMGANG_ARTIFACTS || 'test-artifacts');
const WAIT = 15_000;
const r = new Runner('whatif-web');
const tmp = tempDir();
const db = join(tmp, 'whatif.db');

const hemgang = (...args) => {
  const p = spawnSync(HEMGANG, args, { encoding: 'utf8', timeout: 120_000, cwd: repo });
  if (p.status !== 0) throw new Error(`hemgang ${args.join(' ')}: ${p.stderr}`);
  return p.stdout;
};

process.chdir(repo); // makeDemo imports agreements/demo-amounts.json by its relative path
makeDemo(HEMGANG, db, 400);
const months = recentMonths(12).reverse();
for (const m of months) hemgang('invoice', '--db', db, 'build', '--month', m);
const server = await startServer(HEMGANG, db, resolve(repo, 'web', 'dist'), createWriteStream(join(tmp, 'server.log')));
const browser = await launchBrowser();
mkdirSync(ARTIFACTS, { recursive: true });

async function newSession() {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
  ctx.setDefaultTimeout(WAIT);
  const page = await ctx.newPage();
  const csp = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) csp.push(m.text());
  });
  return { ctx, page, csp };
}

async function login(page, username) {
  await page.goto(server.url + '/');
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill('demo');
  await page.locator('#login button[type=submit]').click();
  await page.locator('[data-testid=who]').waitFor();
}

/** The API's answer for the same question, to compare the page's figures with. */
async function apiAnswer(page, body, query = '') {
  return page.evaluate(
    async ([b, q]) => {
      const res = await fetch('/api/v1/whatif' + q, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
      return res.json();
    },
    [body, query],
  );
}

const amounts = JSON.parse(readFileSync(join(repo, 'agreements', 'demo-amounts.json'), 'utf8'));
const double = { ...amounts, id: 'dubbel', name: 'Dubbelt belopp', version: 1, rates: amounts.rates.map((x) => ({ ...x, amount_ore: x.amount_ore * 2 })) };
const from = `${months[0]}-01`;
const to = `${months[months.length - 1]}-01`;

try {
  const region = await newSession();
  await r.step('the region analyst finds the page and compares the agreement in force with an uploaded one', async () => {
    const { page } = region;
    await login(page, 'analytiker');
    await page.getByRole('link', { name: 'Jämför överenskommelser' }).click();
    await page.locator('h1', { hasText: 'Jämför överenskommelser' }).waitFor();
    await page.locator('#whatif-from').fill(from);
    await page.locator('#whatif-to').fill(to);
    const box = page.locator('#whatif-agreement-statutory');
    await box.waitFor();
    if (!(await box.isChecked())) await box.check();
    for (const other of await page.locator('[data-testid=whatif-agreements] input[type=checkbox]').all())
      if ((await other.getAttribute('id')) !== 'whatif-agreement-statutory' && (await other.isChecked())) await other.uncheck();
    await page.locator('#whatif-file').setInputFiles({ name: 'dubbel.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(double)) });
    await page.locator('[data-testid=whatif-uploaded]', { hasText: 'Dubbelt belopp' }).waitFor();
    await page.getByRole('button', { name: 'Räkna om' }).click();
    await page.locator('[data-testid=whatif-table] tbody tr').first().waitFor();
    await page.locator('[data-testid=whatif-chart] canvas').waitFor();
  });

  await r.step('every row: invoiced = the agreement in force, no invoice says so, twice the amount = twice the figure', async () => {
    const { page } = region;
    const api = await apiAnswer(page, { from, to, agreements: [{ id: 'statutory' }, { document: double }] });
    const rows = await page.locator('[data-testid=whatif-table] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        municipality: tr.dataset.municipality,
        month: tr.dataset.month,
        invoiced: tr.querySelector('[data-col=invoiced]').textContent,
        s0: tr.querySelector('[data-col=scenario-0]').textContent,
        s1: tr.querySelector('[data-col=scenario-1]').textContent,
      })),
    );
    eq(rows.length, api.rows.length, 'one table row per API row');
    assert(rows.length >= 13 * 10, `rows for the region's municipalities and 13 months (${rows.length})`);
    let invoiced = 0;
    let none = 0;
    rows.forEach((row, i) => {
      const a = api.rows[i];
      eq(`${row.municipality} ${row.month}`, `${a.municipality} ${a.month}`, `row ${i} order`);
      eq(row.s0, kronor(a.scenarios[0].total_ore), `row ${i} in force`);
      eq(row.s1, kronor(2 * a.scenarios[0].total_ore), `row ${i} twice the amount`);
      if (a.invoiced_ore === null) {
        none++;
        eq(row.invoiced, 'ingen faktura', `row ${i} without an invoice`);
        eq(a.scenarios[0].total_ore, 0, `row ${i}: nothing to invoice`);
      } else {
        invoiced++;
        eq(row.invoiced, kronor(a.invoiced_ore), `row ${i} invoiced`);
        eq(row.s0, row.invoiced, `row ${i}: the agreement in force gives the invoice`);
      }
    });
    assert(invoiced >= 20 && none > 0, `rows with and without an invoice (${invoiced}, ${none})`);
    const foot = await page.locator('[data-testid=whatif-table] tfoot [data-col=scenario-1]').textContent();
    eq(foot, kronor(2 * api.rows.reduce((s, x) => s + x.scenarios[0].total_ore, 0)), 'the total row');
    await page.screenshot({ path: join(ARTIFACTS, 'whatif-region.png'), fullPage: true });
  });

  await r.step('WCAG 2.1 AA (axe-core), no sideways scrolling, no CSP violation', async () => {
    const { page, csp } = region;
    const v = await axeViolations(page);
    eq(v.join('\n'), '', 'axe-core violations');
    const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert(sw <= iw, `the page scrolls sideways (${sw} > ${iw})`);
    eq(csp.join('\n'), '', 'CSP violations');
  });

  await r.step('English', async () => {
    const { page } = region;
    await page.getByRole('button', { name: 'In English' }).click();
    await page.locator('h1', { hasText: 'Compare agreements' }).waitFor();
    // the language switch draws the app anew (app.tsx): ask again
    await page.locator('#whatif-from').fill(from);
    await page.locator('#whatif-to').fill(to);
    const box = page.locator('#whatif-agreement-statutory');
    if (!(await box.isChecked())) await box.check();
    await page.getByRole('button', { name: 'Recompute' }).click();
    await page.locator('[data-testid=whatif-table] caption', { hasText: 'Per municipality and month' }).waitFor();
    eq(await page.locator('[data-testid=whatif-table] tbody [data-col=invoiced]', { hasText: 'no invoice' }).count() > 0, true, 'no invoice, in English');
  });

  await r.step("a municipality's analyst sees only its own municipality", async () => {
    const s = await newSession();
    await login(s.page, 'analytiker-falun');
    await s.page.getByRole('link', { name: 'Jämför överenskommelser' }).click();
    await s.page.locator('[data-testid=whatif-scope]').waitFor();
    eq(await s.page.locator('#whatif-municipality').count(), 0, 'no municipality choice');
    await s.page.locator('#whatif-from').fill(from);
    await s.page.locator('#whatif-to').fill(to);
    const box = s.page.locator('#whatif-agreement-statutory');
    if (!(await box.isChecked())) await box.check();
    await s.page.getByRole('button', { name: 'Räkna om' }).click();
    await s.page.locator('[data-testid=whatif-table] tbody tr').first().waitFor();
    const munis = await s.page.locator('[data-testid=whatif-table] tbody tr').evaluateAll((trs) => [...new Set(trs.map((t) => t.dataset.municipality))]);
    eq(munis.join(','), '2080', 'only Falun');
    await s.ctx.close();
  });

  await r.step("the dashboard draws each municipality's mean liable days against its yardstick", async () => {
    // issue 15.4: the agreement in force gets a yardstick (a new version: same amounts, targets for two municipalities)
    const yard = { ...amounts, version: 3, yardstick: { baseline_year: 2017, targets_centidays: { 2080: 250, 2081: 0 } } };
    const file = join(tmp, 'yardstick.json');
    writeFileSync(file, JSON.stringify(yard));
    hemgang('agreement', '--db', db, 'import', file);
    const s = await newSession();
    await login(s.page, 'analytiker');
    await s.page.goto(server.url + '/dashboard');
    const panel = s.page.locator('#dash-yardstick');
    await panel.locator('[data-testid=chart-yardstick] canvas').waitFor();
    const falun = panel.locator('tr[data-municipality="2080"]');
    await falun.waitFor();
    const cells = await falun.locator('td').allTextContents();
    assert(cells[2].startsWith('2,5'), `Falun's target 2,50 (${cells[2]})`);
    eq(cells[3], '2017', "the target's baseline year");
    assert(['Över målet', 'Inom målet'].includes(cells[4]), `a verdict for Falun (${cells[4]})`);
    const borlange = await panel.locator('tr[data-municipality="2081"] td').allTextContents();
    eq(borlange[2].startsWith('0'), true, "Borlänge's target 0");
    const mora = panel.locator('tr[data-municipality="2062"]');
    eq(await mora.locator('td').nth(2).getAttribute('class'), 'num none', 'no target for Mora');
    eq(await mora.locator('[data-col=verdict]').textContent(), '', 'no verdict for Mora');
    eq(await panel.locator('[data-testid=yardstick-none]').count(), 0, 'targets are set');
    const v = await axeViolations(s.page);
    eq(v.join('\n'), '', 'axe-core violations on the dashboard');
    await panel.screenshot({ path: join(ARTIFACTS, 'dashboard-yardstick.png') });
    await s.ctx.close();
  });

  await r.step('ward staff get no link to the page', async () => {
    const s = await newSession();
    await login(s.page, 'avd12');
    eq(await s.page.getByRole('link', { name: 'Jämför överenskommelser' }).count(), 0, 'no what-if link');
    await s.ctx.close();
  });
  await region.ctx.close();
} finally {
  await browser.close();
  await stopServer(server);
}
r.summary();
process.exit(r.failed ? 1 : 0);
