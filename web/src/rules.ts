// rules.ts - which event forms the UI offers to whom.
//
// The rules come from the server's own core tables (GET /api/v1/rules, src/http/meta_api.c), loaded with
// the directory after login: which role may send which type (src/core/access.c), which unit kinds may author
// a type, which types are allowed after the discharge, and which need the author unit to be a notified party
// (src/core/event.c). The server enforces all of them anyway (403 role_forbidden / unit_forbidden, 409/422
// from the fold), so the rules only decide which buttons are shown. A form is offered when the role may send
// the type AND one of the user's units is of a kind that may author it (a ward user's role allows SIP events,
// but a ward unit cannot author them) AND the episode's state allows it.
import type { ApiEvent, EpisodeState } from './api';
import type { Rules } from './openapi.gen';

export type { EventTypeRule, Rules } from './openapi.gen';

let rules: Rules = { roles: {}, event_types: {} };

/** Sets the rules the server served (state.ts loadDirectory). */
export function setRules(r: Rules): void {
  rules = r;
}

/**
 * The order in which the forms are offered: the usual course of an episode first. This is the UI's own
 * presentation (each type here has its form in EventForm.tsx), not a rule: who may send a type, and from which
 * unit and when, comes from the server's rules above.
 */
export const FORM_ORDER = [
  'admission_notice',
  'expected_date_changed',
  'track_set',
  'care_contact_appointed',
  'sip_called',
  'sip_held',
  'legal_form_set',
  'care_plan_called',
  'care_plan_established',
  'chief_physician_applied',
  'municipal_report_received',
  'municipal_patient_contacted',
  'municipal_application_received',
  'municipal_decision',
  'municipal_plan',
  'ready_for_discharge',
  'ready_withdrawn',
  'municipality_ready',
  'information_transferred',
  'patient_informed',
  'discharged',
  'responsibility_taken_over',
  'home_care_started',
  'children_as_relatives_recorded',
  'transferred',
  'leave_started',
  'leave_ended',
  'info_requested',
  'info_replied',
  'consent_recorded',
  'deviation',
] as const;

export interface UnitRef {
  id: string;
  kind: string;
}

export function roleMaySend(role: string, type: string): boolean {
  return (rules.roles[role] ?? []).includes(type);
}

/** The user's units that may author `type` (by kind). */
export function authorUnits(units: UnitRef[], type: string): UnitRef[] {
  const kinds = rules.event_types[type]?.author_kinds ?? [];
  return units.filter((u) => kinds.includes(u.kind));
}

/** Every unit id that is a party to the episode: its wards and every notified recipient. */
export function episodeParties(st: EpisodeState, events: ApiEvent[]): Set<string> {
  const s = new Set<string>();
  if (st.admitting_ward) s.add(st.admitting_ward);
  if (st.ward) s.add(st.ward);
  for (const r of st.notice?.recipients ?? []) s.add(r.unit);
  for (const e of events) if (e.type === 'transferred' && typeof e.ward === 'string') s.add(e.ward);
  return s;
}

/** The event forms to offer the user on this episode. */
export function offeredForms(role: string, units: UnitRef[], st: EpisodeState, events: ApiEvent[]): string[] {
  if (st.status === 'cancelled' || st.status === 'empty') return [];
  const parties = episodeParties(st, events);
  const discharged = st.status === 'discharged';
  const hasNotice = (st.notice?.recipients?.length ?? 0) > 0;
  return FORM_ORDER.filter((type) => {
    if (!roleMaySend(role, type)) return false;
    let mine = authorUnits(units, type);
    const rule = rules.event_types[type];
    if (rule?.needs_party) mine = mine.filter((u) => parties.has(u.id));
    if (mine.length === 0) return false;
    if (discharged && !rule?.after_discharge) return false;
    switch (type) {
      case 'expected_date_changed':
        return hasNotice;
      case 'ready_for_discharge':
        return st.status === 'admitted' && hasNotice;
      case 'ready_withdrawn':
        return st.status === 'ready';
      case 'leave_started':
        return !st.on_leave;
      case 'leave_ended':
        return st.on_leave;
      // the care process (issue 14): a step is offered once the one it follows is recorded
      case 'care_plan_called':
      case 'care_plan_established':
        return !!st.legal_form;
      case 'chief_physician_applied':
        return !!st.care_plan?.established_at;
      case 'municipal_decision':
        return !!st.municipal?.application_at;
      case 'home_care_started':
        return !!st.municipal?.decision_at && st.municipal?.decision_outcome !== 'rejected';
      case 'responsibility_taken_over':
        return discharged && !!st.care_contact;
      case 'info_replied':
        return openRequestsTo(events, new Set(mine.map((u) => u.id))).length > 0;
      default:
        return true;
    }
  });
}

/** Information requests addressed to one of `units` that have no reply yet. */
export function openRequestsTo(events: ApiEvent[], units: Set<string>): ApiEvent[] {
  const replied = new Set(events.filter((e) => e.type === 'info_replied').map((e) => e.reply_to_seq as number));
  const cancelled = cancelledSeqs(events);
  return events.filter(
    (e) =>
      e.type === 'info_requested' &&
      !cancelled.has(e.seq) &&
      !replied.has(e.seq) &&
      units.has((e.to as { unit: string } | undefined)?.unit ?? ''),
  );
}

export function cancelledSeqs(events: ApiEvent[]): Set<number> {
  return new Set(events.filter((e) => e.type === 'cancelled').map((e) => e.cancels_seq as number));
}

/** Events the user may cancel: authored by one of their units, not cancelled, not a cancellation. */
export function cancellable(events: ApiEvent[], role: string, units: UnitRef[]): ApiEvent[] {
  if (!roleMaySend(role, 'cancelled')) return [];
  const mine = new Set(authorUnits(units, 'cancelled').map((u) => u.id));
  const gone = cancelledSeqs(events);
  return events.filter((e) => e.type !== 'cancelled' && !gone.has(e.seq) && mine.has(e.author.unit));
}
