import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { describeSignInError, getToken, gql, setToken, setUnauthenticatedHandler } from './api';
import { connect, disconnect, setSound, useLive, type Status } from './live';
import { ErrorBoundary, Heading, Link, Loading, ErrorBox, navigate, usePath } from './ui';
import { EMAIL, PASSWORD } from './limits';
import { Alerts } from './views/alerts';
import { Today, LearnerView } from './views/school';
import { Directory, ProviderPage } from './views/directory';
import { SchoolReferrals, ReferralQueue } from './views/referrals';
import { Register, Progress } from './views/provider';
import { Audit, Providers } from './views/partnership';
import { Applications, ProviderQA, QAWorklist } from './views/qa';
import { Resources } from './views/documents';
import { Training } from './views/training';
import { Apply } from './views/apply';
import './style.css';

export interface Me {
  id: string;
  name: string;
  role: 'PARTNERSHIP_ADMIN' | 'QA_OFFICER' | 'SCHOOL_STAFF' | 'PROVIDER_STAFF';
  school: { id: string; name: string } | null;
  provider: { id: string; name: string } | null;
}

const ME = `query { me { id name role school { id name } provider { id name } } }`;

function SignIn({ onSignedIn, notice }: { onSignedIn: () => void; notice: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [noticeShown, setNoticeShown] = useState(true);
  useEffect(() => {
    document.title = 'apnet';
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    // A failed attempt replaces the notice that sent the user here.
    setNoticeShown(false);
    try {
      const d = await gql<{ login: { token: string } }>(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: email, p: password });
      setToken(d.login.token);
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <h1>apnet</h1>
      <p>Alternative provision: attendance, referrals and the provider directory.</p>
      {notice && noticeShown && <p class="notice" role="status">{notice}</p>}
      <form onSubmit={submit} aria-describedby={error ? 'signin-error' : undefined}>
        <label for="email">Email</label>
        <input id="email" type="email" autocomplete="username" required maxLength={EMAIL} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="password">Password</label>
        <input id="password" type="password" autocomplete="current-password" required maxLength={PASSWORD} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error ? (
          <p id="signin-error" class="error" role="alert">
            {describeSignInError(error)}
          </p>
        ) : null}
      </form>
      <section class="apply-link" aria-labelledby="apply-title">
        <h2 id="apply-title">Providers new to the partnership</h2>
        <p>
          <Link href="/apply">Apply to join the approved list</Link> — no account needed.
        </p>
      </section>
    </main>
  );
}

const statusText: Record<Status, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };

function LiveIndicator() {
  const { status } = useLive();
  return (
    <p class={`live live-${status}`} data-status={status} role="status" aria-live="polite">
      <span class="dot" aria-hidden="true" />
      {statusText[status]}
    </p>
  );
}

interface NavItem {
  href: string;
  label: string;
}

function navFor(me: Me): NavItem[] {
  switch (me.role) {
    case 'SCHOOL_STAFF':
      return [
        { href: '/', label: 'Alerts' },
        { href: '/today', label: "Today's placements" },
        { href: '/directory', label: 'Provider directory' },
        { href: '/referrals', label: 'Referrals' },
        { href: '/resources', label: 'Resources' },
      ];
    case 'PROVIDER_STAFF':
      return [
        { href: '/', label: 'Register' },
        { href: '/progress', label: 'Progress updates' },
        { href: '/directory', label: 'Provider directory' },
        { href: '/training', label: 'Training' },
        { href: '/resources', label: 'Resources' },
      ];
    case 'PARTNERSHIP_ADMIN':
      return [
        { href: '/', label: 'Referral queue' },
        { href: '/qa', label: 'QA worklist' },
        { href: '/applications', label: 'Applications' },
        { href: '/providers', label: 'Provider approvals' },
        { href: '/training', label: 'Training' },
        { href: '/resources', label: 'Resources' },
        { href: '/audit', label: 'Audit trail' },
      ];
    case 'QA_OFFICER':
      return [
        { href: '/', label: 'Referral queue' },
        { href: '/qa', label: 'QA worklist' },
        { href: '/applications', label: 'Applications' },
        { href: '/providers', label: 'Provider approvals' },
        { href: '/training', label: 'Training' },
        { href: '/resources', label: 'Resources' },
      ];
  }
}

function View({ me, path }: { me: Me; path: URL }) {
  const p = path.pathname;
  const m = (re: RegExp) => p.match(re);
  let r: RegExpMatchArray | null;
  if ((r = m(/^\/providers\/([^/]+)$/))) return <ProviderPage id={decodeURIComponent(r[1])} partnership={me.role === 'PARTNERSHIP_ADMIN' || me.role === 'QA_OFFICER'} />;
  if (p === '/directory') return <Directory />;
  if (p === '/resources') return <Resources me={me} />;
  if (p === '/training' && me.role !== 'SCHOOL_STAFF') return <Training me={me} />;
  switch (me.role) {
    case 'SCHOOL_STAFF':
      if (p === '/') return <Alerts me={me} />;
      if (p === '/today') return <Today me={me} date={path.searchParams.get('date')} />;
      if ((r = m(/^\/learners\/([^/]+)$/))) return <LearnerView id={decodeURIComponent(r[1])} />;
      if (p === '/referrals') return <SchoolReferrals me={me} />;
      break;
    case 'PROVIDER_STAFF':
      if (p === '/' || p === '/register') return <Register me={me} date={path.searchParams.get('date')} />;
      if (p === '/progress') return <Progress />;
      break;
    default:
      if (p === '/') return <ReferralQueue />;
      if (p === '/qa') return <QAWorklist />;
      if (p === '/applications') return <Applications />;
      if ((r = m(/^\/qa\/providers\/([^/]+)$/))) return <ProviderQA id={decodeURIComponent(r[1])} />;
      if (p === '/providers') return <Providers />;
      if (p === '/audit' && me.role === 'PARTNERSHIP_ADMIN') return <Audit />;
  }
  // An address of apnet's that another kind of account uses.
  const known = ['/', '/today', '/referrals', '/register', '/progress', '/qa', '/applications', '/providers', '/audit', '/training', '/directory', '/resources'];
  if (known.includes(p) || /^\/(learners|qa\/providers)\/[^/]+$/.test(p))
    return (
      <section>
        <Heading>This page is not available to your account</Heading>
        <p>
          <Link href="/">Go to the start page</Link>
        </p>
      </section>
    );
  return (
    <section>
      <Heading>Page not found</Heading>
      <p>
        <Link href="/">Go to the start page</Link>
      </p>
    </section>
  );
}

function Shell({ me, signOut }: { me: Me; signOut: () => void }) {
  const path = usePath();
  const live = useLive();
  const unread = live.alerts.filter((a) => !a.acknowledgedAt).length;
  useEffect(() => {
    document.title = me.role === 'SCHOOL_STAFF' && unread > 0 ? `(${unread}) apnet` : 'apnet';
  }, [unread, me.role]);
  const nav = navFor(me);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <strong>apnet</strong>
          <span>
            {me.name}
            {me.school ? ` · ${me.school.name}` : me.provider ? ` · ${me.provider.name}` : ''}
          </span>
        </div>
        <LiveIndicator />
        {me.role === 'SCHOOL_STAFF' && (
          <label class="sound">
            <input type="checkbox" checked={live.sound} onChange={(e) => setSound(e.currentTarget.checked)} /> Sound on new alerts
          </label>
        )}
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Main">
        <ul>
          {nav.map((n) => (
            <li key={n.href}>
              <Link href={n.href} current={path.pathname === n.href || (n.href === '/' && path.pathname === '/register')}>
                {n.label}
                {n.label === 'Alerts' && (
                  <span class={unread > 0 ? 'badge' : 'badge zero'} data-testid="unread" aria-label={`${unread} unread`}>
                    {unread}
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">
        <ErrorBoundary key={path.pathname + path.search}>
          <View me={me} path={path} />
        </ErrorBoundary>
      </main>
      <p class="visually-hidden" aria-live="assertive">
        {live.announcement}
      </p>
    </>
  );
}

function App() {
  const path = usePath();
  const [token, setTok] = useState(getToken());
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');

  const signOut = (why = '') => {
    const t = getToken();
    disconnect();
    setToken(null);
    setTok(null);
    setMe(null);
    setNotice(why);
    if (t && !why) {
      // Ends the session on the server too; the answer does not matter here.
      fetch('/query', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t}` }, body: JSON.stringify({ query: 'mutation { logout }' }) }).catch(() => {});
    }
    navigate('/');
  };

  useEffect(() => {
    setUnauthenticatedHandler(() => signOut('Your session has ended. Sign in again.'));
  }, []);

  useEffect(() => {
    if (!token) return;
    setError(null);
    gql<{ me: Me }>(ME).then(
      (d) => {
        setMe(d.me);
        connect(token, d.me.role === 'SCHOOL_STAFF' ? (d.me.school?.id ?? null) : null, () => signOut('Your session has ended. Sign in again.'));
      },
      (e) => setError(e),
    );
  }, [token]);

  // The public application page, signed in or not.
  if (path.pathname === '/apply') return <Apply />;
  if (!token) return <SignIn notice={notice} onSignedIn={() => setTok(getToken())} />;
  if (error)
    return (
      <main id="main">
        <ErrorBox error={error} retry={() => setTok(getToken())} />
      </main>
    );
  if (!me)
    return (
      <main id="main">
        <Loading what="your account" />
      </main>
    );
  return <Shell me={me} signOut={() => signOut()} />;
}

render(<App />, document.getElementById('app')!);
