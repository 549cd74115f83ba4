// invoices.mjs - end-to-end tests of the invoice pages (issue 5), called by
// run.mjs on its server and demo database:
//   the region's invoice officer builds a month's invoice bases for the demo
//   region in the browser and sends Falun's (a double click sends once); the
//   page explains every line (ready date, grace end, holidays skipped, nights ×
//   amount per night) and downloads its exports; Borlänge's officer sees
//   neither the basis nor its page; Falun's officer sees it, disputes a line (a
//   missing reason shows the API's message next to the field); the region
//   decides (adjusted by one night); the trail shows every step to both; a
//   line's episode link opens the episode; axe-core finds no WCAG 2.1 AA
//   violation; no sideways scrolling at 1366×768; English can be chosen.
// The demo's `now` is the clock, so the month is chosen by previewing the
// last 18 months through the API (nothing is stored) and taking the one with
// the most lines for Falun. Screenshots go to test-artifacts/invoice-*.png.
import { join } from 'node:path';
import { assert, axeViolations, eq } from './lib.mjs';

const FALUN = '2080';

/** "120 900,00 kr" as the UI writes öre (NBSP between groups and before kr). */
export function kronor(ore) {
  const whole = Math.floor(Math.abs(ore) / 100);
  const cents = Math.abs(ore) % 100;
  return `${ore < 0 ? '−' : ''}${new Intl.NumberFormat('sv-SE').format(whole)},${String(cents).padStart(2, '0')}\u00a0kr`;
}

/** The kronor text a user types for öre ("9300,00"). */
const typed = (ore) => `${Math.floor(ore / 100)},${String(ore % 100).padStart(2, '0')}`;

export function recentMonths(back) {
  const now = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
  let [y, m] = now.split('-').map(Number);
  const out = [];
  for (let i = 0; i <= back; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (--m === 0) {
      m = 12;
      y--;
    }
  }
  return out;
}

async function apiLogin(url, username) {
  const res = await fetch(url + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  eq(res.status, 200, `API login of ${username}`);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  assert(cookie, 'a session cookie');
  return cookie;
}

async function noHorizontalScroll(page, what) {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert(sw <= iw, `${what}: the page scrolls sideways (${sw} > ${iw})`);
}

async function allLabelled(page, what) {
  const bad = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)),
  );
  assert(bad.length === 0, `${what}: controls without a label: ${bad.join(', ')}`);
}

async function noAxe(page, what) {
  const v = await axeViolations(page);
  assert(v.length === 0, `${what}: WCAG violations:\n      ${v.join('\n      ')}`);
}

/** The numbers of a line row: nights, per night, amount (öre). */
async function lineFigures(row) {
  return {
    nights: Number((await row.locator('td[data-col=nights]').innerText()).trim().split(/\s/)[0]),
    per: Number(await row.locator('td[data-col=per_night]').getAttribute('data-ore')),
    amount: Number(await row.locator('td[data-col=amount]').getAttribute('data-ore')),
  };
}

async function trailActions(page) {
  return page.locator('ol.inv-trail > li').evaluateAll((lis) => lis.map((li) => li.dataset.action));
}

/**
 * Runs the invoice checks as steps of `r` (lib.mjs Runner). `ctx`: { r, url,
 * newSession(user) -> {ctx, page}, login(page, user), artifacts }.
 */
export async function invoiceTests({ r, url, newSession, login, artifacts }) {
  let month = null;
  let expected = null; // the preview of Falun's basis
  let id = 0;
  let R, M; // the region's and Falun's officers
  let disputedEpisode = 0;
  let figures = null;

  // The invoices need none of run.mjs's episode flow: a failure there does not skip them, nor the other way round.
  const broken = r.broken;
  r.broken = null;

  const openInvoice = async (page) => {
    await page.goto(`${url}/invoices/${id}`);
    await page.locator(`.invoice[data-invoice="${id}"]`).waitFor();
  };

  try {
    await r.step('invoices: a month of the demo region with lines for Falun (previews through the API)', async () => {
      const cookie = await apiLogin(url, 'faktura-region');
      let best = null;
      // the months that are over, newest first; the current month (still growing) only when none has a line
      const months = recentMonths(18);
      for (const m of [...months.slice(1), months[0]]) {
        if (best && m === months[0]) break;
        const res = await fetch(url + '/api/v1/invoices', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Cookie: cookie },
          body: JSON.stringify({ month: m, municipality: FALUN, preview: true }),
        });
        eq(res.status, 200, `preview of ${m}`);
        const inv = (await res.json()).invoices.find((i) => i.municipality === FALUN);
        const n = inv ? inv.lines.length : 0;
        if (n > 0 && (!best || n > best.inv.lines.length)) best = { month: m, inv }; // the most lines, the newest of equals
      }
      assert(best, 'no month of the last 18 has a line for Falun');
      month = best.month;
      expected = best.inv;
      eq(expected.state, 'preview', 'a preview stores nothing');
    });

    await r.step('invoices: the region officer builds the month in the browser', async () => {
      R = await newSession('faktura-region');
      const p = R.page;
      await login(p, 'faktura-region');
      await p.locator('nav a[href="/invoices"]').click();
      await p.locator('#invoice-build').waitFor();
      await allLabelled(p, 'invoice list with the build form');
      await p.locator('#invoice-build-month').selectOption(month);
      await p.locator('#invoice-build button[type=submit]').click();
      const built = p.locator(`#invoice-built li[data-municipality="${FALUN}"]`);
      await built.waitFor();
      eq(await built.getAttribute('data-status'), 'created', 'a new draft');
      await p.waitForURL(new RegExp(`/invoices\\?month=${month}`));
      const row = p.locator(`table.inv-list tr[data-municipality="${FALUN}"]`);
      await row.waitFor();
      id = Number(await row.getAttribute('data-invoice'));
      assert(id > 0, 'an invoice id');
      eq(await row.getAttribute('data-state'), 'draft', 'state in the list');
      assert((await row.innerText()).includes(kronor(expected.total_ore)), 'the total in the list: ' + (await row.innerText()));
      await p.screenshot({ path: join(artifacts, 'invoices-list.png'), fullPage: true });
      // the list filters by state
      await p.locator('#invoice-filter-state').selectOption('sent');
      await p.locator('#invoice-filter button[type=submit]').click();
      await p.waitForURL(/state=sent/);
      await p.locator('#invoice-list-h').waitFor();
      eq(await p.locator(`table.inv-list tr[data-invoice="${id}"]`).count(), 0, 'a draft is not among the sent');
      await noAxe(p, 'invoice list');
    });

    await r.step('invoices: the page explains every figure (header, lines, review, exports)', async () => {
      const p = R.page;
      await openInvoice(p);
      const fact = (k) => p.locator(`[data-fact="${k}"] dd`).innerText();
      assert((await fact('municipality')).includes('Falu kommun') && (await fact('municipality')).includes(FALUN), 'municipality');
      assert((await fact('month')).includes(month), 'month');
      assert((await fact('agreement')).includes(`${expected.agreement}, version ${expected.agreement_version}`), 'agreement and version: ' + (await fact('agreement')));
      assert(/\d{4}-\d\d-\d\d \d\d:\d\d/.test(await fact('cutoff')), 'cut-off instant');
      assert((await fact('state')).includes('utkast'), 'state draft');
      eq((await fact('total')).trim(), kronor(expected.total_ore), 'total in Swedish kronor');
      const rows = p.locator('table.inv-lines tbody.inv-line');
      eq(await rows.count(), expected.lines.length, 'one row per line');
      let sum = 0;
      for (const l of expected.lines) {
        const row = p.locator(`table.inv-lines tbody[data-episode="${l.episode}"]`);
        const f = await lineFigures(row);
        eq(f.nights, l.nights, `nights of ${l.episode}`);
        eq(f.amount, l.amount_ore, `amount of ${l.episode}`);
        eq(f.nights * f.per, f.amount, `nights × per night = amount of ${l.episode}`);
        assert((await row.locator('td[data-col=ready]').innerText()).includes(l.ready_date), 'ready date');
        assert((await row.locator('td[data-col=grace_end]').innerText()).includes(l.grace_end), 'grace end');
        const how = await row.locator('td[data-col=how]').innerText();
        assert(/Fristdagar: \d+ (kalenderdagar|vardagar)/.test(how), 'the grace rule: ' + how);
        assert(how.includes('Helgdagar som hoppades över'), 'holidays skipped: ' + how);
        assert(how.includes(`${l.nights} × ${kronor(f.per)} = ${kronor(l.amount_ore)}`), 'nights × amount: ' + how);
        eq(await row.locator('a.inv-episode-link').getAttribute('href'), `/episodes/${l.episode}`, 'episode link');
        sum += f.amount;
      }
      eq(sum + (expected.average?.total_ore ?? 0), expected.total_ore, 'the lines add up to the total');
      eq(await p.locator('#invoice-exclusions tbody tr').count(), expected.exclusions.length, 'exclusions listed');
      for (const e of expected.exclusions)
        assert((await p.locator(`#invoice-exclusions tr[data-episode="${e.episode}"]`).innerText()).includes(e.reason_sv), 'exclusion reason');
      await p.locator('#invoice-review[data-reproducible="true"]').waitFor();
      // the downloads answer with the right types
      for (const [fmt, type] of [
        ['csv', 'text/csv'],
        ['xlsx', 'spreadsheetml'],
        ['pdf', 'application/pdf'],
      ]) {
        const href = await p.locator(`.inv-exports a[data-format="${fmt}"]`).getAttribute('href');
        const res = await R.ctx.request.get(url + href);
        eq(res.status(), 200, `${fmt} export status`);
        assert((res.headers()['content-type'] || '').includes(type), `${fmt} content type: ${res.headers()['content-type']}`);
        if (fmt === 'csv') assert((await res.text()).includes(expected.lines[0].personnummer), 'the CSV names the line');
      }
      eq(await p.locator('#invoice-dispute, #invoice-decision').count(), 0, 'no dispute or decision form for a draft');
      await allLabelled(p, 'invoice page with the send form');
      await noHorizontalScroll(p, 'invoice page at 1366 px');
      const [tw, cw] = await p.locator('#invoice-lines .table-wrap').evaluate((el) => [el.scrollWidth, el.clientWidth]);
      assert(tw <= cw, `the lines fit at 1366 px without scrolling (${tw} > ${cw})`);
      await p.screenshot({ path: join(artifacts, 'invoice-draft.png'), fullPage: true });
    });

    await r.step('invoices: the region officer sends the basis (a double click sends once)', async () => {
      const p = R.page;
      await p.locator('#invoice-send button[type=submit]').dblclick();
      await p.locator('.invoice[data-state="sent"]').waitFor();
      await p.waitForTimeout(300);
      const acts = await trailActions(p);
      eq(acts.filter((a) => a === 'send').length, 1, 'one send step: ' + acts);
      eq(await p.locator('#invoice-send').count(), 0, 'the send form is gone');
    });

    await r.step("invoices: Borlänge's officer sees neither the basis nor its page", async () => {
      const S = await newSession('faktura-borlange');
      await login(S.page, 'faktura-borlange');
      await S.page.goto(`${url}/invoices`);
      await S.page.locator('#invoice-list-h').waitFor();
      eq(await S.page.locator(`table.inv-list tr[data-invoice="${id}"]`).count(), 0, 'not in the list');
      await S.page.goto(`${url}/invoices/${id}`);
      await S.page.locator('[data-testid=invoice-missing]').waitFor();
      const html = await S.page.content();
      for (const l of expected.lines) assert(!html.includes(l.personnummer), 'no personnummer of the basis');
      await S.ctx.close();
    });

    await r.step("invoices: Falun's officer disputes a line; a missing reason shows next to the field", async () => {
      M = await newSession('faktura-falun');
      const p = M.page;
      await login(p, 'faktura-falun');
      await p.locator('nav a[href="/invoices"]').click();
      const row = p.locator(`table.inv-list tr[data-invoice="${id}"]`);
      await row.waitFor();
      eq(await row.getAttribute('data-state'), 'sent', 'sent, in the list');
      await row.locator('a').first().click();
      await p.locator(`.invoice[data-invoice="${id}"]`).waitFor();
      eq(await p.locator('#invoice-send, #invoice-decision').count(), 0, 'no region forms for the municipality');
      disputedEpisode = expected.lines[0].episode;
      figures = await lineFigures(p.locator(`table.inv-lines tbody[data-episode="${disputedEpisode}"]`));
      await p.locator(`#invoice-dispute input[type=checkbox][data-episode="${disputedEpisode}"]`).check();
      await p.locator('#invoice-dispute button[type=submit]').click();
      const err = p.locator('#invoice-dispute-reason-err');
      await err.waitFor();
      assert((await err.innerText()).includes('Skäl krävs'), 'the message: ' + (await err.innerText()));
      const field = p.locator('#invoice-dispute-reason');
      eq(await field.getAttribute('aria-invalid'), 'true', 'aria-invalid on the reason');
      assert(((await field.getAttribute('aria-describedby')) || '').includes('invoice-dispute-reason-err'), 'the message describes the field');
      assert(await field.evaluate((el) => !!el.closest('.field')?.querySelector('.field-error')), 'message next to the field');
      assert(await field.evaluate((el) => el === document.activeElement), 'focus on the field');
      eq(await p.locator('.invoice').getAttribute('data-state'), 'sent', 'nothing changed');
      await noAxe(p, 'invoice page with a refused dispute');
      await p.screenshot({ path: join(artifacts, 'invoice-dispute.png'), fullPage: true });
      await field.fill('Patienten var inte utskrivningsklar de första dygnen enligt vår SIP.');
      await p.locator('#invoice-dispute button[type=submit]').click();
      await p.locator('.invoice[data-state="disputed"]').waitFor();
      await p.locator(`table.inv-lines tbody.inv-disputed[data-episode="${disputedEpisode}"]`).waitFor();
      eq(await p.locator('table.inv-lines tbody.inv-disputed').count(), 1, 'one disputed line');
    });

    await r.step('invoices: the region officer decides (adjusted by one night)', async () => {
      const p = R.page;
      await openInvoice(p);
      await p.locator('#invoice-decision').waitFor();
      await p.locator('#invoice-decision-reason').fill('Ett dygn avräknas: SIP hölls dag två.');
      await p.locator('#invoice-decision button[type=submit]').click();
      await p.locator('#invoice-decision-outcome-err').waitFor(); // no outcome chosen: the API's refusal, by the choice
      await p.locator('#invoice-decision-outcome-adjusted').check();
      const amount = p.locator('#invoice-decision-adjustments_0_');
      eq(await p.locator('#invoice-decision input[id^="invoice-decision-adjustments_"]').count(), 1, 'one disputed line to adjust');
      await amount.fill(typed(figures.amount - figures.per));
      await allLabelled(p, 'decision form');
      await noAxe(p, 'invoice page with the decision form');
      await p.locator('#invoice-decision button[type=submit]').click();
      await p.locator('.invoice[data-state="decided"]').waitFor();
      eq(Number(await p.locator('[data-fact="owed"] .inv-amount').getAttribute('data-ore')), expected.total_ore - figures.per, 'owed after the decision');
      assert((await p.locator('[data-fact="state"]').innerText()).includes('justerad'), 'outcome adjusted');
      await p.screenshot({ path: join(artifacts, 'invoice-region.png'), fullPage: true });
    });

    const want = ['build', 'send', 'dispute', 'decide'];
    for (const [who, get] of [
      ['region', () => R],
      ['Falun', () => M],
    ]) {
      await r.step(`invoices: the trail shows every step to the ${who} officer`, async () => {
        const p = get().page;
        await openInvoice(p);
        eq((await trailActions(p)).join(','), want.join(','), 'steps');
        const trail = await p.locator('#invoice-trail').innerText();
        for (const s of ['faktura-region', 'faktura-falun', 'Patienten var inte utskrivningsklar', 'Ett dygn avräknas'])
          assert(trail.includes(s), `${s} in the trail`);
        assert(trail.includes(`${kronor(figures.amount)} → ${kronor(figures.amount - figures.per)}`), 'the adjustment in the trail');
        eq(await p.locator('.invoice').getAttribute('data-state'), 'decided', 'decided');
      });
    }

    await r.step("invoices: a line's episode link opens the episode", async () => {
      const p = M.page;
      await p.screenshot({ path: join(artifacts, 'invoice-municipality.png'), fullPage: true });
      await p.locator(`table.inv-lines tbody[data-episode="${disputedEpisode}"] a.inv-episode-link`).click();
      await p.waitForURL(new RegExp(`/episodes/${disputedEpisode}$`));
      // the municipality's invoice officer opens the episode of the line it disputed (read-only, audited with the invoice)
      await p.locator(`.episode[data-episode="${disputedEpisode}"]`).waitFor();
      const line = expected.lines.find((l) => l.episode === disputedEpisode) ?? expected.lines[0];
      assert((await p.locator('.patient').innerText()).includes(line.personnummer), 'the same patient');
      eq(await p.locator('button[data-form]').count(), 0, 'no event forms for an invoice officer');
    });

    await r.step('invoices: English can be chosen; amounts stay in Swedish kronor', async () => {
      const p = M.page;
      await openInvoice(p);
      await p.getByRole('button', { name: 'In English' }).click();
      await p.locator('#invoice-lines-h', { hasText: 'Lines' }).waitFor();
      assert((await p.locator('#invoice-trail').innerText()).includes('Disputed by the municipality'), 'steps in English');
      eq((await p.locator('[data-fact="total"] dd').innerText()).trim(), kronor(expected.total_ore), 'the same total');
      await p.getByRole('button', { name: 'På svenska' }).click();
      await p.locator('#invoice-lines-h', { hasText: 'Rader' }).waitFor();
    }, { flow: false });
  } finally {
    for (const s of [R, M]) await s?.ctx.close().catch(() => undefined);
    r.broken = broken;
  }
}
