import { useEffect, useState, type FormEvent } from 'react';
import { api, isProblem, must, problemOf, session, type ApiProblem, type Me } from './api/client';
import { AccountsPage } from './pages/accounts';
import { AssetsPage } from './pages/assets';
import { CallbacksPage } from './pages/callbacks';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { OverviewPage } from './pages/overview';
import { StreamsPage } from './pages/streams';
import { SubmitPage } from './pages/submit';
import { UsersPage } from './pages/users';
import { useRoute } from './router';
import { Field, ProblemLine } from './ui';

type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'pixsim.console.theme';

function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem(THEME_KEY) as Theme | null) ?? 'system');
  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);
  const next = () => setTheme((t) => (t === 'system' ? 'light' : t === 'light' ? 'dark' : 'system'));
  return [theme, next];
}

const NAV = [
  { path: '', label: 'Overview' },
  { path: 'jobs', label: 'Jobs' },
  { path: 'submit', label: 'Submit' },
  { path: 'assets', label: 'Assets' },
  { path: 'accounts', label: 'Accounts', admin: true },
  { path: 'streams', label: 'Streams', admin: true },
  { path: 'callbacks', label: 'Callbacks', admin: true },
  { path: 'users', label: 'Users', admin: true },
] as const;

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(Boolean(session.token()));
  const [theme, nextTheme] = useTheme();

  useEffect(() => {
    session.onUnauthorized(() => {
      session.clear();
      setMe(null);
    });
    if (!session.token()) return;
    must(api.GET('/api/v1/users/me'))
      .then(setMe)
      .catch(() => session.clear())
      .finally(() => setChecking(false));
  }, []);

  const signOut = () => {
    // Forgets the token in this tab; an access token still expires on its own schedule.
    session.clear();
    setMe(null);
    window.location.hash = '#/';
  };

  const themeButton = (
    <button type="button" className="ghost" onClick={nextTheme} aria-label={`Theme: ${theme} (change)`}>
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} {theme}
    </button>
  );

  if (checking) return <p className="loading">Checking your session…</p>;
  if (!me)
    return (
      <div className="signin-page">
        <div className="signin-top">{themeButton}</div>
        <SignIn onSignedIn={setMe} />
      </div>
    );
  return <Shell me={me} signOut={signOut} themeButton={themeButton} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<ApiProblem>();
  const [busy, setBusy] = useState(false);

  const finish = async (accessToken: string) => {
    session.set(accessToken);
    try {
      onSignedIn(await must(api.GET('/api/v1/users/me')));
    } catch (err) {
      session.clear();
      throw err;
    }
  };
  const run = (work: () => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await work();
    } catch (err) {
      setProblem(isProblem(err) ? err : problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (
    <button type="submit" disabled={busy}>
      Sign in
    </button>
  );

  return (
    <main className="signin" aria-labelledby="signin-title">
      <h1 id="signin-title">
        <span className="logo" aria-hidden="true">
          ▶
        </span>{' '}
        pixsim console
      </h1>
      <ProblemLine problem={problem} />
      <form
        aria-label="Account sign-in"
        onSubmit={run(async () => {
          const body = await must(api.POST('/api/v1/auth/login', { body: { email, password } }));
          await finish(body.access_token);
        })}
      >
        <SignInInput label="Email" id="email" type="email" autoComplete="username" value={email} set={setEmail} />
        <SignInInput
          label="Password"
          id="password"
          type="password"
          autoComplete="current-password"
          value={password}
          set={setPassword}
        />
        {submit}
      </form>
      <div className="or" aria-hidden="true">
        or
      </div>
      <form aria-label="Token sign-in" onSubmit={run(() => finish(token.trim()))}>
        <SignInInput
          label="API key or token"
          id="token"
          hint="the admin token, a psk_ API key or an access token"
          type="password"
          autoComplete="off"
          value={token}
          set={setToken}
        />
        {submit}
      </form>
    </main>
  );
}

/** A required input of the sign-in forms, in its labelled field. */
function SignInInput(props: {
  label: string;
  id: string;
  hint?: string;
  type: 'email' | 'password';
  autoComplete: string;
  value: string;
  set: (value: string) => void;
}) {
  return (
    <Field label={props.label} id={props.id} hint={props.hint}>
      <input
        id={props.id}
        type={props.type}
        autoComplete={props.autoComplete}
        required
        value={props.value}
        onChange={(e) => props.set(e.target.value)}
      />
    </Field>
  );
}

function Shell({ me, signOut, themeButton }: { me: Me; signOut: () => void; themeButton: React.ReactNode }) {
  const route = useRoute();
  const admin = me.role === 'admin';
  const [section = '', id] = route.path;
  useKeyboardShortcuts();

  let page: React.ReactNode;
  if (section === 'jobs' && id) page = <JobPage id={id} admin={admin} />;
  else if (section === 'jobs') page = <JobsPage admin={admin} query={route.query} />;
  else if (section === 'submit') page = <SubmitPage />;
  else if (section === 'assets') page = <AssetsPage />;
  else if (section === 'accounts' && admin) page = <AccountsPage />;
  else if (section === 'streams' && admin) page = <StreamsPage />;
  else if (section === 'callbacks' && admin) page = <CallbacksPage />;
  else if (section === 'users' && admin) page = <UsersPage />;
  else if (section === '') page = <OverviewPage admin={admin} />;
  else page = <p>Nothing here. Pick a page from the menu.</p>;

  return (
    <div className="shell">
      {/* A button, not a link: the console's routes live in the URL's hash, which "#main" would replace. */}
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <span className="brand">
          <span className="logo" aria-hidden="true">
            ▶
          </span>{' '}
          pixsim
        </span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !('admin' in n) || admin).map((n) => (
              <li key={n.path}>
                <a href={`#/${n.path}`} aria-current={section === n.path ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          {themeButton}
          <span className="me" title={me.id}>
            {me.email ?? 'admin token'} <span className="role">{me.role}</span>
          </span>
          <button type="button" className="ghost" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}

/** `g` then a letter goes to a page (o, j, s, a, c, t, b, u); `/` finds the search box. */
function useKeyboardShortcuts() {
  useEffect(() => {
    let pending = false;
    const pages: Record<string, string> = {
      o: '',
      j: 'jobs',
      s: 'submit',
      a: 'assets',
      c: 'accounts',
      t: 'streams',
      b: 'callbacks',
      u: 'users',
    };
    const on = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (e.key === '/') {
        const search = document.getElementById('search');
        if (search) {
          e.preventDefault();
          search.focus();
        }
      } else if (pending && e.key in pages) {
        window.location.hash = `#/${pages[e.key]}`;
        pending = false;
      } else pending = e.key === 'g';
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
}
