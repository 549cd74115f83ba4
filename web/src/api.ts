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

// ---- the API's shapes (the parts the UI reads) ----

export interface User {
  username: string;
  display_name: string;
  organisation: string;
  role: string;
  role_sv: string;
  units: string[];
}

export interface Unit {
  id: string;
  organisation: string;
  name: string;
  kind: string;
  kind_sv?: string;
  care_type?: string;
  hospital?: string;
  municipality?: string;
}

export interface Organisation {
  code: string;
  name: string;
  kind: 'region' | 'municipality';
  county: string;
}

export interface Session {
  user: User;
  units: { id: string; name: string; kind: string }[];
  demo: boolean;
}

export interface RowDeadline {
  kind: string;
  due_at: string;
  overdue: boolean;
}

/** Payment liability so far (the server's core computes it; the UI only shows it). */
export interface Liability {
  agreement: { id: string; name: string; version: number } | null;
  average_model: boolean;
  counted: boolean;
  billing: string;
  billing_sv: string;
  billing_en: string;
  ready_date: string | null;
  liable_from: string | null;
  ready_days: number;
  nights: number;
  amount_ore: number;
  liable: boolean;
}

export interface EpisodeRow {
  id: number;
  status: string;
  status_sv: string;
  patient: { name: string; personnummer: string };
  municipality: string;
  primary_care_unit: string;
  hospital: string;
  ward: string;
  care_type: string;
  admitted_at: string | null;
  notice_at: string | null;
  expected_discharge_date: string | null;
  ready_at: string | null;
  discharged_at: string | null;
  track: string | null;
  open_deadlines: RowDeadline[];
  last_seq: number;
  ready_days?: number;
  liability_from?: string | null; // requested from the API; shown when present
  liability?: Liability; // ready patients in the worklists
  todo?: string[]; // the ward's admitted patients: what is still to do (core's episode_todos)
  // the care process from the fold (worklists): to-dos, whether the municipality is ready to receive
  care?: { todos: CareNote[]; municipality_ready: boolean; can_receive_on: string | null; legal_form: string | null; children_as_relatives: boolean };
}

export interface PendingNotice {
  episode_id: number;
  seq: number;
  unit: string;
  type: string;
  type_sv: string;
  sent_at: string;
  patient: { name: string; personnummer: string };
  ward: string;
}

export interface Worklist {
  new_notices: PendingNotice[];
  new_notices_total: number; // all unacknowledged notices (of the type asked for), whatever the page
  new_notices_limit: number;
  new_notices_offset: number;
  deadlines_due_today: EpisodeRow[];
  overdue: EpisodeRow[];
  ready_waiting: EpisodeRow[];
  recently_discharged: EpisodeRow[];
  admitted?: EpisodeRow[]; // the caller's wards' patients in hospital, with `todo`
  generated_at?: string; // no longer sent: the Date header carries the time
}

export interface BulkAckResult {
  results: { episode_id: number; seq: number; status: number; code?: string; detail?: string; event_seq?: number }[];
  acknowledged: number;
}

export interface Party {
  unit: string;
  kind: string;
  org: string;
}

export interface ApiEvent {
  type: string;
  id: number;
  seq: number;
  occurred_at: string;
  recorded_at: string | null;
  author: { unit: string; kind: string; org: string; user?: string };
  corrects_seq: number;
  note: string;
  [k: string]: unknown;
}

export interface NoticeRecipient extends Party {
  kind_sv?: string;
  notified_at: string | null;
  notice_seq: number;
  acknowledged_at: string | null;
  ready_notified_at: string | null;
  ready_seq: number;
  ready_acknowledged_at: string | null;
}

export interface EpisodeState {
  id: number;
  status: string;
  cancelled: boolean;
  last_seq: number;
  patient: {
    personnummer?: string;
    identity_kind?: string;
    name?: string;
    birth_date?: string;
    age?: number;
    age_at_admission?: number;
    protected_identity?: boolean;
    address?: string | null;
    address_hidden?: boolean;
    registered_municipality: string;
    primary_care_unit: string;
  };
  hospital: string;
  admitting_ward: string;
  ward: string;
  care_type: string;
  admitted_at: string | null;
  on_leave: boolean;
  notice: { at: string | null; seq: number; sent: number; reason?: string | null; recipients: NoticeRecipient[] } | null;
  expected_discharge_date: string | null;
  first_expected_discharge_date: string | null;
  date_changes: number;
  date_history: { date: string; changed_at: string; seq: number }[];
  ready_at: string | null;
  ready_days?: number;
  ready_periods: { start: string; end: string | null; start_seq: number; end_seq: number; notified: string[] }[];
  withdrawals: number;
  track: { colour: string; set_at: string; changes: number } | null;
  consents: { org: string; state: string; scope: string; how: string; at: string; seq: number }[];
  care_contact: { name?: string; title?: string; phone?: string; unit: string; appointed_at: string } | null;
  sip: {
    called_at: string | null;
    meeting_at: string | null;
    place: string | null;
    held_at: string | null;
    held_place: string | null;
    follow_up_date: string | null;
    called_by?: string;
    participants?: string[];
    actions?: { what: string; responsible: string; due: string }[];
  };
  municipality_ready_at: string | null;
  municipality_ready_org: string;
  discharged_at: string | null;
  destination: string | null;
  deviations: number;
  // the care process (issue 14 items 1, 3, 4, 7; issue 18 items 3, 4)
  legal_form?: string | null;
  care_plan?: {
    called_at: string | null;
    meeting_at: string | null;
    place: string | null;
    established_at: string | null;
    follow_up_date: string | null;
    chief_physician_applied_at: string | null;
  } | null;
  municipal?: {
    report_at: string | null;
    contact_at: string | null;
    application_at: string | null;
    decision_at: string | null;
    decision_outcome: string | null;
    decision_services: string[];
    plan_at: string | null;
    plan_services: string[];
    can_receive_on: string | null;
    short_term_care: boolean;
    home_care_started_at: string | null;
    ready_to_receive?: boolean;
  };
  discharge_step?: {
    information_transferred_at: string | null;
    items: string[];
    missing: string[];
    patient_informed_at: string | null;
    responsibility_taken_over_at: string | null;
    responsibility_unit: string;
    notice_seq: number;
  };
  children_as_relatives?: boolean;
  todos?: CareNote[];
  discharge_warnings?: CareNote[];
}

/** A to-do of the care process or a warning: its code and the server's texts. */
export interface CareNote {
  code: string;
  sv: string;
  en: string;
}

export interface Deadline {
  kind: string;
  state: string;
  starts_at: string | null;
  due_at: string | null;
  met_at: string | null;
}

/** Where the episode's survey stands (never the replies themselves). */
export interface SurveyStatus {
  answered_at: string | null;
  channel: 'phone' | 'link' | null;
  respondent: 'patient' | 'next_of_kin' | null;
  invitations: number;
  open_invitations: number;
  last_invited_at: string | null;
  last_expires_at: string | null;
}

export interface EpisodeView {
  episode: EpisodeState;
  deadlines: Deadline[];
  events: ApiEvent[];
  survey?: SurveyStatus;
  liability?: Liability;
}

export interface AppendResult {
  episode_id: number;
  event_id: number;
  seq: number;
  type: string;
  recorded_at: string;
  replayed: boolean;
  warnings?: CareNote[];
}
