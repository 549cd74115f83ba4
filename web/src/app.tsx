// app.tsx - the frame of every page: the DEMO banner, the header with the
// navigation, the user, the language switch and log-out, and the routes.
// The patient survey (/survey/{token}) is the one page outside the login: it
// gets a bare frame (name and language switch only) and asks the server for
// nothing but its questions.
import type { FunctionComponent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, request, sessionExpired, type Session } from './api';
import { ErrorBox, Link, Loading } from './components/common';
import { codeLabel, lang, setLang, t } from './i18n';
import { Admit } from './pages/Admit';
import { Episode } from './pages/Episode';
import { Episodes } from './pages/Episodes';
import { Invoice } from './pages/Invoice';
import { Invoices } from './pages/Invoices';
import { Login } from './pages/Login';
import { Search } from './pages/Search';
import { Start } from './pages/Start';
import { SurveyPage } from './pages/Survey';
import { roleMaySend } from './rules';
import { useSignal } from './signal';
import { demo, loadDirectory, navigate, route, session } from './state';

/** Roles that see identifiable patients (src/core/access.c reads_patients): the others get no lists. */
const READS_PATIENTS = (role: string) => role !== 'analyst' && role !== 'admin';

/**
 * The dashboard and the what-if page use the charting library (uPlot): each is
 * a separate chunk, loaded the first time it is shown, so the worklist pages
 * stay small.
 */
type PageModule = Promise<FunctionComponent<{ me: Session }>>;

function lazyPage(load: () => PageModule) {
  let module: PageModule | null = null;
  return function LazyPage(p: { me: Session }) {
    const [Page, setPage] = useState<FunctionComponent<{ me: Session }> | null>(null);
    const [failed, setFailed] = useState<unknown>(null);
    useEffect(() => {
      module ??= load();
      module.then((m) => setPage(() => m)).catch((e) => {
        module = null;
        setFailed(e);
      });
    }, []);
    if (failed) return <ErrorBox error={failed} />;
    return Page ? <Page me={p.me} /> : <Loading />;
  };
}

const Dashboard = lazyPage(() => import('./pages/Dashboard').then((m) => m.Dashboard));
const WhatIf = lazyPage(() => import('./pages/WhatIf').then((m) => m.WhatIf));

/** Who compares agreements (issue 15.5): the follow-up's analysts, invoice officers and administrators. */
const COMPARES_AGREEMENTS = (role: string) => role === 'analyst' || role === 'invoice_officer' || role === 'admin';

/** The token of a survey link's page, or null: /survey/{token}. */
const surveyToken = (path: string) => /^\/survey\/([A-Za-z0-9_-]{1,100})$/.exec(path.split('?')[0])?.[1] ?? null;

export async function boot(): Promise<void> {
  if (surveyToken(route.get())) return; // the public survey page: no session, no directory

  get<{ demo: boolean }>('/healthz')
    .then((h) => demo.set(!!h.demo))
    .catch(() => undefined);
  try {
    const me = await request<Session>('GET', '/api/v1/session');
    await loadDirectory();
    demo.set(demo.get() || !!me.data?.demo);
    session.set(me.data);
  } catch {
    session.set(null);
  }
}

function DemoBanner() {
  const on = useSignal(demo);
  if (!on) return null;
  return (
    <div class="demo-banner" role="note" data-testid="demo-banner">
      {t('demo_banner')}
    </div>
  );
}

function Header(p: { me: Session | null; path: string; bare?: boolean }) {
  const l = useSignal(lang);
  const nav = (href: string, label: string) => {
    const current = href === '/' ? p.path === '/' : p.path.startsWith(href);
    return (
      <li>
        <a
          href={href}
          aria-current={current ? 'page' : undefined}
          onClick={(e) => {
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
            e.preventDefault();
            navigate(href);
          }}
        >
          {label}
        </a>
      </li>
    );
  };
  const worklist = p.me ? READS_PATIENTS(p.me.user.role) : false;
  return (
    <header class="top">
      <div class="brand">
        {p.bare ? (
          <span class="brand-link">
            <span class="logo" aria-hidden="true">
              ⌂
            </span>
            <span class="brand-name">{t('app_name')}</span>
          </span>
        ) : (
          <Link href="/" class="brand-link" aria-label={`${t('app_name')} – ${worklist || !p.me ? t('nav_start') : t('nav_dashboard')}`}>
            <span class="logo" aria-hidden="true">
              ⌂
            </span>
            <span class="brand-name">{t('app_name')}</span>
          </Link>
        )}
        <span class="tagline">{t('app_tagline')}</span>
      </div>
      {p.me && !p.bare ? (
        <nav aria-label={t('nav_label')}>
          <ul>
            {worklist ? nav('/', t('nav_start')) : nav('/', t('nav_dashboard'))}
            {worklist ? nav('/dashboard', t('nav_dashboard')) : null}
            {READS_PATIENTS(p.me.user.role) ? nav('/episodes', t('nav_episodes')) : null}
            {READS_PATIENTS(p.me.user.role) ? nav('/search', t('nav_search')) : null}
            {p.me.user.role === 'invoice_officer' ? nav('/invoices', t('nav_invoices')) : null}
            {COMPARES_AGREEMENTS(p.me.user.role) ? nav('/whatif', t('nav_whatif')) : null}
            {roleMaySend(p.me.user.role, 'admitted') && p.me.units.some((u) => u.kind === 'ward')
              ? nav('/admit', t('nav_admit'))
              : null}
          </ul>
        </nav>
      ) : null}
      <div class="user">
        {p.me && !p.bare ? (
          <span class="who" data-testid="who">
            <span class="sr-only">{t('logged_in_as')} </span>
            <strong>{p.me.user.username}</strong>
            <span class="who-role"> · {codeLabel('role', p.me.user.role)}</span>
          </span>
        ) : null}
        <button
          type="button"
          class="btn btn-small btn-header"
          lang={l === 'sv' ? 'en' : 'sv'}
          onClick={() => setLang(l === 'sv' ? 'en' : 'sv')}
        >
          {t('switch_language')}
        </button>
        {p.me && !p.bare ? (
          <button
            type="button"
            class="btn btn-small btn-header"
            onClick={async () => {
              try {
                await request('DELETE', '/api/v1/session');
              } catch {
                /* logged out locally anyway */
              }
              session.set(null);
              navigate('/', true);
            }}
          >
            {t('logout')}
          </button>
        ) : null}
      </div>
    </header>
  );
}

function Routes(p: { me: Session; path: string }) {
  const [pathname, query = ''] = p.path.split('?');
  const m = /^\/episodes\/([0-9]+)$/.exec(pathname);
  if (m) return <Episode key={m[1]} id={m[1]} me={p.me} />;
  const inv = /^\/invoices\/([0-9]+)$/.exec(pathname);
  if (inv) return <Invoice key={inv[1]} id={inv[1]} me={p.me} />;
  if (pathname === '/invoices') return <Invoices me={p.me} query={query} />;
  switch (pathname) {
    case '/':
    case '/index.html':
      // invoice officers land on the invoice list (issue 18.6): their work starts there, not at a worklist
      if (p.me.user.role === 'invoice_officer') return <Invoices me={p.me} query={query} />;
      return READS_PATIENTS(p.me.user.role) ? <Start me={p.me} /> : <Dashboard me={p.me} />;
    case '/dashboard':
      return <Dashboard me={p.me} />;
    case '/episodes':
      return <Episodes me={p.me} query={query} />;
    case '/search':
      return <Search />;
    case '/whatif':
      return <WhatIf me={p.me} />;
    case '/admit':
      return <Admit me={p.me} />;
    default:
      return (
        <div class="card">
          <h1 tabIndex={-1}>{t('not_found')}</h1>
          <p>
            <Link href="/">{t('back_to_start')}</Link>
          </p>
        </div>
      );
  }
}

export function App() {
  const me = useSignal(session);
  const path = useSignal(route);
  const l = useSignal(lang);
  const expired = useSignal(sessionExpired);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    document.documentElement.lang = l;
  }, [l]);
  useEffect(() => {
    if (expired) session.set(null);
  }, [expired]);
  // After a route change, move focus to the page's heading so screen readers announce it.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const id = window.setTimeout(() => main.current?.querySelector<HTMLElement>('h1')?.focus(), 0);
    return () => window.clearTimeout(id);
  }, [path]);

  const token = surveyToken(path);
  if (token)
    return (
      <div class="app" key={l}>
        <a class="skip" href="#main">
          {t('skip_to_content')}
        </a>
        <Header me={null} path={path} bare />
        <main id="main" ref={main} tabIndex={-1}>
          <SurveyPage token={token} />
        </main>
      </div>
    );
  return (
    <div class="app" key={l}>
      <a class="skip" href="#main">
        {t('skip_to_content')}
      </a>
      <DemoBanner />
      <Header me={me ?? null} path={path.split('?')[0]} />
      <main id="main" ref={main} tabIndex={-1}>
        {me === undefined ? <Loading /> : me === null ? <Login /> : <Routes me={me} path={path} />}
      </main>
    </div>
  );
}
