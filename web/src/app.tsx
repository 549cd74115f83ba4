// app.tsx - the frame of every page: the DEMO banner, the header with the
// navigation, the user, the language switch and log-out, and the routes.
import { useEffect, useRef } from 'preact/hooks';
import { get, request, sessionExpired, type Session } from './api';
import { Link, Loading } from './components/common';
import { codeLabel, lang, setLang, t } from './i18n';
import { Admit } from './pages/Admit';
import { Episode } from './pages/Episode';
import { Episodes } from './pages/Episodes';
import { Login } from './pages/Login';
import { Search } from './pages/Search';
import { Start } from './pages/Start';
import { roleMaySend } from './rules';
import { useSignal } from './signal';
import { demo, loadDirectory, navigate, route, session } from './state';

/** Roles that see identifiable patients (src/core/access.c reads_patients): the others get no lists. */
const READS_PATIENTS = (role: string) => role !== 'analyst' && role !== 'admin';

export async function boot(): Promise<void> {
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

function Header(p: { me: Session | null; path: string }) {
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
  return (
    <header class="top">
      <div class="brand">
        <Link href="/" class="brand-link" aria-label={`${t('app_name')} – ${t('nav_start')}`}>
          <span class="logo" aria-hidden="true">
            ⌂
          </span>
          <span class="brand-name">{t('app_name')}</span>
        </Link>
        <span class="tagline">{t('app_tagline')}</span>
      </div>
      {p.me ? (
        <nav aria-label={t('nav_label')}>
          <ul>
            {nav('/', t('nav_start'))}
            {READS_PATIENTS(p.me.user.role) ? nav('/episodes', t('nav_episodes')) : null}
            {READS_PATIENTS(p.me.user.role) ? nav('/search', t('nav_search')) : null}
            {roleMaySend(p.me.user.role, 'admitted') && p.me.units.some((u) => u.kind === 'ward')
              ? nav('/admit', t('nav_admit'))
              : null}
          </ul>
        </nav>
      ) : null}
      <div class="user">
        {p.me ? (
          <span class="who" data-testid="who">
            <span class="sr-only">{t('logged_in_as')} </span>
            <strong>{p.me.user.username}</strong> · {codeLabel('role', p.me.user.role)}
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
        {p.me ? (
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
  switch (pathname) {
    case '/':
    case '/index.html':
      return <Start me={p.me} />;
    case '/episodes':
      return <Episodes me={p.me} query={query} />;
    case '/search':
      return <Search />;
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
