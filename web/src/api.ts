// api.ts - everything the UI says to the server goes through here.
//
// The UI uses only the public JSON API (docs/openapi.json). This module
// - sends JSON with the session cookie (same origin) and Accept-Language, so
//   the server's problem messages come in the chosen language;
// - turns RFC 9457 problem responses into ApiError, keeping `field` (the JSON
//   path of the member at fault) so a form can show the message next to it;
// - gives every event submission an Idempotency-Key that is kept until the
//   outcome is known (a retry after a network error or a 5xx reuses it, so the
//   server stores the event once), and a fresh one after a definite answer;
// - polls with ETags: the worklist and episode endpoints answer 304 to
//   If-None-Match when nothing changed, so a 10 s poll costs a few bytes.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { lang } from './i18n';
import { signal } from './signal';

export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  field?: string;
  seq?: number;
}

export class ApiError extends Error {
  problem: Problem;
  constructor(p: Problem) {
    super(p.detail || p.title || p.code);
    this.problem = p;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** Raised when the server cannot be reached at all (no HTTP status). */
export class NetworkError extends Error {}

export interface Response<T> {
  status: number;
  data: T | null; // null for 304
  etag: string | null;
}

/** Set when any call answers 401: the app shows the login page again. */
export const sessionExpired = signal(false);

interface Options {
  body?: unknown;
  idempotencyKey?: string;
  etag?: string | null;
  signal?: AbortSignal;
}

export async function request<T>(method: string, path: string, opt: Options = {}): Promise<Response<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': lang.get() };
  if (opt.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opt.idempotencyKey) headers['Idempotency-Key'] = opt.idempotencyKey;
  if (opt.etag) headers['If-None-Match'] = opt.etag;
  let res: globalThis.Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opt.body === undefined ? undefined : JSON.stringify(opt.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opt.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new NetworkError(String(e));
  }
  const etag = res.headers.get('ETag');
  if (res.status === 304) return { status: 304, data: null, etag };
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const p = (json && typeof json === 'object' ? json : {}) as Partial<Problem>;
    const problem: Problem = {
      status: res.status,
      code: p.code || 'http_' + res.status,
      title: p.title,
      detail: p.detail,
      field: p.field || undefined,
      seq: p.seq,
    };
    if (res.status === 401 && path !== '/api/v1/session') sessionExpired.set(true);
    throw new ApiError(problem);
  }
  return { status: res.status, data: json as T, etag };
}

export const get = <T>(path: string) => request<T>('GET', path).then((r) => r.data as T);

/** A fresh Idempotency-Key: 128 random bits (getRandomValues works outside secure contexts too). */
export function newIdempotencyKey(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 'ui-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** True when the request certainly did not change anything on the server, so a new key is due. */
function definiteAnswer(e: unknown): boolean {
  return e instanceof ApiError && e.status >= 400 && e.status < 500;
}

/**
 * A submission that is sent at most once however often the button is pressed:
 * `busy` disables the button, a second call while one is under way is ignored,
 * and the Idempotency-Key survives retries until the server's answer is known.
 */
export function useSubmit<T>(send: (key: string) => Promise<T>) {
  const key = useRef<string | null>(null);
  const inFlight = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (): Promise<T | undefined> => {
    if (inFlight.current) return undefined;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    if (!key.current) key.current = newIdempotencyKey();
    try {
      const out = await send(key.current);
      key.current = null; // done: the next submission is a new one
      return out;
    } catch (e) {
      if (definiteAnswer(e)) key.current = null;
      setError(e);
      return undefined;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }, [send]);
  return { run, busy, error, setError };
}

export const POLL_MS = 10_000;

/**
 * Polls `path` every POLL_MS with If-None-Match; pauses while the tab is hidden
 * and refreshes at once when it becomes visible again. `refresh()` forces a
 * poll now (after the user's own change). `changes` counts new representations
 * after the first one (for a polite "updated" announcement).
 */
export function usePoll<T>(path: string | null, interval = POLL_MS) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [changes, setChanges] = useState(0);
  const etag = useRef<string | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const pending = useRef<AbortController | null>(null);
  const first = useRef(true);

  const poll = useCallback(async () => {
    if (!path) return;
    window.clearTimeout(timer.current);
    pending.current?.abort();
    const ac = new AbortController();
    pending.current = ac;
    try {
      const r = await request<T>('GET', path, { etag: etag.current, signal: ac.signal });
      if (r.status !== 304) {
        etag.current = r.etag;
        setData(r.data);
        if (!first.current) setChanges((c) => c + 1);
        first.current = false;
      }
      setError(null);
      setUpdatedAt(new Date());
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      setError(e);
    } finally {
      if (pending.current === ac) pending.current = null;
    }
    if (!document.hidden) timer.current = window.setTimeout(poll, interval);
  }, [path, interval]);

  useEffect(() => {
    etag.current = null;
    first.current = true;
    setData(null);
    setError(null);
    setChanges(0);
    void poll();
    const onVis = () => {
      if (document.hidden) window.clearTimeout(timer.current);
      else void poll();
    };
    document.addEventListener('visibilitychange', onVis);
    return () => {
      document.removeEventListener('visibilitychange', onVis);
      window.clearTimeout(timer.current);
      pending.current?.abort();
    };
  }, [poll]);

  return { data, error, updatedAt, changes, refresh: poll };
}

// ---- the API's shapes ----
// Generated from docs/openapi.json's schemas at build time (`npm run types`, which web/build.sh runs, writes
// src/openapi.gen.ts with openapi-typescript): a member the server adds or changes is one edit of openapi.json,
// and the type checker then shows every place of the UI it concerns.
export type {
  AppendResult,
  BulkAckResult,
  CareNote,
  Deadline,
  EpisodeRow,
  EpisodeState,
  EpisodeView,
  Event as ApiEvent,
  Liability,
  NoticeRecipient,
  Organisation,
  Party,
  PendingNotice,
  RowDeadline,
  Session,
  SurveyStatus,
  Unit,
  User,
  Worklist,
} from './openapi.gen';
