// Login.tsx - POST /api/v1/session; the server sets an HttpOnly, SameSite=Strict
// cookie, so the UI never holds the token itself.
import { useCallback, useState } from 'preact/hooks';
import { request, sessionExpired, type Session } from '../api';
import { FormShell, TextInput } from '../components/fields';
import { t } from '../i18n';
import { loadDirectory, session } from '../state';

export function Login() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const expired = sessionExpired.get();

  const submit = useCallback(async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await request('POST', '/api/v1/session', { body: { username: username.trim(), password } });
      const me = await request<Session>('GET', '/api/v1/session');
      await loadDirectory();
      sessionExpired.set(false);
      session.set(me.data);
    } catch (e) {
      setError(e);
      setPassword('');
    } finally {
      setBusy(false);
    }
  }, [username, password, busy]);

  return (
    <div class="login-wrap">
      <div class="card login-card">
        <h1 tabIndex={-1}>{t('login_title')}</h1>
        <p>{t('login_intro')}</p>
        {expired ? (
          <p class="notice-info" role="status">
            {t('error_session')}
          </p>
        ) : null}
        <FormShell
          id="login"
          fields={['username', 'password']}
          error={error}
          busy={busy}
          submitLabel={t('login_button')}
          onSubmit={submit}
        >
          <TextInput
            form="login"
            name="username"
            label={t('username')}
            value={username}
            onValue={setUsername}
            autoComplete="username"
            required
            error={error}
          />
          <TextInput
            form="login"
            name="password"
            type="password"
            label={t('password')}
            value={password}
            onValue={setPassword}
            autoComplete="current-password"
            required
            error={error}
          />
        </FormShell>
      </div>
    </div>
  );
}
