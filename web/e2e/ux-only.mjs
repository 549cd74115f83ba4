// ux-only.mjs - runs only the issue 18 browser steps (ux.mjs) on a fresh demo database, for quick work on
// them: HEMGANG=build/asan/hemgang node web/e2e/ux-only.mjs (UX_STEP=dashboard: only the steps whose label
// holds that). The full suite (run.mjs) runs them too.
import { createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runner, launchBrowser, makeDemo, randomPersonnummer, startServer, stopServer, tempDir } from './lib.mjs';
import { uxTests } from './ux.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEMGANG = resolve(repo, process.env.HEMGANG || 'build/release/hemgang');
const ARTIFACTS = resolve(repo, process.env.HEMGANG_ARTIFACTS || 'test-artifacts');
const r = new Runner('ux');
// UX_STEP=text runs only the steps whose label holds it (and the first, which makes the patient the others read)
if (process.env.UX_STEP) {
  const step = r.step.bind(r);
  let first = true;
  r.step = (label, fn, opts) => {
    const run = first || label.includes(process.env.UX_STEP);
    first = false;
    return run ? step(label, fn, opts) : Promise.resolve();
  };
}
const tmp = tempDir();
makeDemo(HEMGANG, join(tmp, 'ux.db'), 60);
const server = await startServer(HEMGANG, join(tmp, 'ux.db'), resolve(repo, 'web', 'dist'), createWriteStream(join(tmp, 'server.log')));
const browser = await launchBrowser();
async function newSession(user, viewport = { width: 1366, height: 768 }) {
  const ctx = await browser.newContext({ viewport, locale: 'sv-SE', timezoneId: 'America/New_York' });
  ctx.setDefaultTimeout(10_000);
  return { ctx, page: await ctx.newPage() };
}
async function login(page, username) {
  await page.goto(server.url + '/');
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill('demo');
  await page.locator('#login button[type=submit]').click();
  await page.locator('[data-testid=who]').waitFor();
  await page.locator('.worklist, main .card').first().waitFor();
}
try {
  await uxTests({ r, url: server.url, newSession, login, artifacts: ARTIFACTS, pnr: randomPersonnummer });
} finally {
  await browser.close();
  await stopServer(server);
}
r.summary();
process.exit(r.failed ? 1 : 0);
