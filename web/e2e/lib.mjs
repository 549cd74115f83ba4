// lib.mjs - the harness of the browser tests: a tiny counting runner, the real
// hemgang server on a loopback port with a fresh demo database, and Debian's
// chromium driven by playwright-core. Every wait is bounded; nothing is
// downloaded (playwright-core never fetches a browser by itself).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.HEMGANG_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Counts checks; a failed step of the flow marks the later flow steps as not run (and failed). */
export class Runner {
  constructor(name) {
    this.name = name;
    this.passed = 0;
    this.failed = 0;
    this.broken = null;
  }

  async step(label, fn, { flow = true } = {}) {
    if (flow && this.broken) {
      this.failed++;
      console.log(`not ok - ${label} (not run: "${this.broken}" failed)`);
      return;
    }
    const t0 = Date.now();
    try {
      await fn();
      this.passed++;
      console.log(`ok - ${label} (${Date.now() - t0} ms)`);
    } catch (e) {
      this.failed++;
      if (flow) this.broken = label;
      console.log(`not ok - ${label}\n    ${String(e && e.stack ? e.stack : e).split('\n').slice(0, 6).join('\n    ')}`);
    }
  }

  summary() {
    console.log(`${this.name}: ${this.passed} passed, ${this.failed} failed`);
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error('assertion failed: ' + msg);
}

export function eq(got, want, msg) {
  if (got !== want) throw new Error(`${msg}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

export function tempDir() {
  const base = process.env.HEMGANG_TEST_TMP || tmpdir();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'web-'));
}

/**
 * The statutory default has amounts for 2019 and 2022 only and a night is never priced with another year's
 * (issue 15.2): import test amounts for the demo's years, as an administrator would import the real ones.
 */
function importTestAmounts(hemgang, db) {
  const r = spawnSync(hemgang, ['agreement', '--db', db, 'import', 'agreements/demo-amounts.json'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`hemgang agreement import failed (${r.status}): ${r.stderr}`);
}

/** `hemgang demo`: returns the logins {username, role, org, unit}. */
export function makeDemo(hemgang, db, episodes = 60) {
  const r = spawnSync(hemgang, ['demo', '--db', db, '--episodes', String(episodes)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`hemgang demo failed (${r.status}): ${r.stderr}`);
  importTestAmounts(hemgang, db);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [username, role, org, unit] = line.split('\t');
      return { username, role, org, unit };
    });
}

/** `hemgang demo` in the background (while other tests run): resolves to the logins. */
export function makeDemoAsync(hemgang, db, episodes) {
  return new Promise((resolve, reject) => {
    const proc = spawn(hemgang, ['demo', '--db', db, '--episodes', String(episodes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
    proc.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    proc.stderr.setEncoding('utf8').on('data', (c) => (err += c));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`hemgang demo failed (${code}): ${err}`));
      try {
        importTestAmounts(hemgang, db);
      } catch (e) {
        return reject(e);
      }
      resolve(
        out
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const [username, role, org, unit] = line.split('\t');
            return { username, role, org, unit };
          }),
      );
    });
  });
}

/** Starts `hemgang serve` on 127.0.0.1:0 and reads the port from its first stderr line. */
export function startServer(hemgang, db, staticRoot, logFile) {
  return new Promise((resolve, reject) => {
    const proc = spawn(hemgang, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--static', staticRoot], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let buf = '';
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      proc.kill('SIGKILL');
      reject(new Error('server did not report its port within 30 s: ' + buf));
    }, 30_000);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      logFile?.write(chunk);
      if (done) return;
      buf += chunk;
      const m = /\(port (\d+)\)/.exec(buf);
      if (m) {
        done = true;
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}` });
      }
    });
    proc.on('exit', (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${buf}`));
    });
  });
}

/** Stops the server: SIGTERM, then SIGKILL after 5 s. */
export function stopServer(srv) {
  return new Promise((resolve) => {
    if (!srv || srv.proc.exitCode !== null) return resolve();
    const t = setTimeout(() => srv.proc.kill('SIGKILL'), 5000);
    srv.proc.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
    srv.proc.kill('SIGTERM');
  });
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium`);
  // launch() gives every run a fresh temporary profile (user-data-dir), removed on close.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** A valid Swedish personnummer (Luhn check digit) for a fictional person born in the 1940s. */
export function randomPersonnummer() {
  const y = 40 + Math.floor(Math.random() * 10);
  const m = 1 + Math.floor(Math.random() * 12);
  const d = 1 + Math.floor(Math.random() * 28);
  const serial = 100 + Math.floor(Math.random() * 899);
  const nine = `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${serial}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let v = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (v > 9) v -= 9;
    sum += v;
  }
  const check = (10 - (sum % 10)) % 10;
  return `19${nine.slice(0, 6)}-${nine.slice(6)}${check}`;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core's WCAG 2.0/2.1 A and AA rules (labels, names, contrast, ARIA,
 * landmarks...) on the page as it is now; returns "rule: target" lines of the
 * violations. The engine is evaluated through the DevTools protocol, which the
 * page's CSP does not govern, so the app keeps its strict policy.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const out = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return out;
}
