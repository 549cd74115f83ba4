// state.ts - the app-wide state: the session, the demo flag, the directory of
// units and organisations (for names), and the client-side route.
//
// Routes are real paths (/, /episodes/12, /search ...): the server's SPA
// fallback answers index.html for any extension-less path outside /api, so a
// reload or a shared link lands on the same page.
import { get, type Organisation, type Session, type Unit } from './api';
import type { Organisations, Units } from './openapi.gen';
import { setRules, type Rules } from './rules';
import { signal } from './signal';

/** undefined while asking the server, null when not logged in. */
export const session = signal<Session | null | undefined>(undefined);
export const demo = signal(false);

export interface Directory {
  units: Map<string, Unit>;
  orgs: Map<string, Organisation>;
}
export const directory = signal<Directory>({ units: new Map(), orgs: new Map() });

export async function loadDirectory(): Promise<void> {
  const [u, o, r] = await Promise.all([
    get<Units>('/api/v1/units'),
    get<Organisations>('/api/v1/organisations'),
    get<Rules>('/api/v1/rules'),
  ]);
  setRules(r);
  directory.set({
    units: new Map(u.units.map((x) => [x.id, x])),
    orgs: new Map(o.organisations.map((x) => [x.code, x])),
  });
}

export function unitName(id: string | null | undefined): string {
  if (!id) return '–';
  return directory.get().units.get(id)?.name ?? id;
}

export function orgName(code: string | null | undefined): string {
  if (!code) return '–';
  const o = directory.get().orgs.get(code);
  return o ? o.name : code;
}

/** "Falu kommun (2080)" for a municipality code. */
export function municipalityLabel(code: string | null | undefined): string {
  if (!code) return '–';
  const o = directory.get().orgs.get(code);
  return o ? `${o.name} (${code})` : code;
}

// ---- routing ----

export const route = signal(location.pathname + location.search);

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  route.set(to);
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => route.set(location.pathname + location.search));
