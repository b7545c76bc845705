/**
 * The app: one tRPC client and one query cache per session (a new login starts clean), the login
 * screen, and the signed-in shell (header, navigation, the screen of the current route, toasts).
 */
import {
  MutationCache,
  QueryCache,
  QueryClient,
  QueryClientProvider,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { AgentsPage } from './admin/agents-page';
import { SettingsPage } from './admin/settings-page';
import { notificationPermission, requestNotificationPermission } from './alerts';
import { CustomerPage } from './customers/customer-panel';
import { personName } from './format';
import { asLang, I18nProvider, LANGS, type Lang, rememberLang, storedLang, useT } from './i18n';
import { InboxPage } from './inbox/inbox-page';
import { useLiveInbox } from './live';
import { Link, navigate, useRoute } from './router';
import { type Permission, type Session, SessionContext, useSession } from './session';
import { TicketsPage } from './tickets/tickets-page';
import { clearToken, loadToken, saveToken } from './token-store';
import { connect, errorMessage, isUnauthorized, TRPCProvider, useTRPC } from './trpc';
import { ErrorNote, Loading, ToastProvider } from './ui';

type LiveState = Session['live'];

export function App() {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [live, setLive] = useState<LiveState>('connecting');

  const logout = useCallback(() => {
    clearToken();
    setToken(null);
  }, []);

  // A new cache for every session: nothing of the previous agent's data survives a logout.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the token is the reason to rebuild
  const queryClient = useMemo(() => {
    const onError = (error: unknown) => {
      if (isUnauthorized(error)) logout();
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: {
          staleTime: 15_000,
          retry: (count, error) => !isUnauthorized(error) && count < 2,
        },
      },
    });
  }, [token, logout]);

  const connection = useMemo(
    () =>
      connect(token ?? undefined, {
        onOpen: () => setLive('open'),
        onClose: () => setLive('closed'),
      }),
    [token],
  );
  useEffect(() => () => connection.close(), [connection]);

  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={connection.client} queryClient={queryClient}>
        <ToastProvider>
          {token ? (
            <SignedIn logout={logout} live={live} />
          ) : (
            <LoginPage
              onLogin={(t) => {
                saveToken(t);
                setLive('connecting');
                setToken(t);
              }}
            />
          )}
        </ToastProvider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function LoginPage({ onLogin }: { onLogin: (token: string) => void }) {
  const [lang, setLang] = useState<Lang>(storedLang);
  return (
    <I18nProvider lang={lang}>
      <LoginForm
        onLogin={onLogin}
        lang={lang}
        setLang={(l) => {
          rememberLang(l);
          setLang(l);
        }}
      />
    </I18nProvider>
  );
}

function LoginForm({
  onLogin,
  lang,
  setLang,
}: {
  onLogin: (token: string) => void;
  lang: Lang;
  setLang: (l: Lang) => void;
}) {
  const { t } = useT();
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: (r) => onLogin(r.token) }));
  const ids = { email: useId(), password: useId(), lang: useId() };
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t('login.title')} · WhatsApp CRM`;
  }, [lang, t]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email: email.trim(), password });
  };
  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-dot" /> WhatsApp CRM
        </div>
        <h1 id="login-title">{t('login.title')}</h1>
        <label htmlFor={ids.email}>{t('login.email')}</label>
        <input
          id={ids.email}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={ids.password}>{t('login.password')}</label>
        <input
          id={ids.password}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {login.error ? (
          <p className="error" role="alert">
            {t('login.failed', { message: errorMessage(login.error) })}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={login.isPending}>
          {t('login.submit')}
        </button>
        <div className="login-lang">
          <label htmlFor={ids.lang}>{t('header.language')}</label>
          <select id={ids.lang} value={lang} onChange={(e) => setLang(asLang(e.target.value))}>
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {l === 'es' ? 'Español' : 'English'}
              </option>
            ))}
          </select>
        </div>
      </form>
    </main>
  );
}

function SignedIn({ logout, live }: { logout: () => void; live: LiveState }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  const lang = asLang(me.data?.agent.preferences.language);
  const session = useMemo<Session | null>(() => {
    if (!me.data) return null;
    const permissions = new Set<Permission>(me.data.permissions);
    return {
      me: me.data.agent,
      permissions,
      can: (p) => permissions.has(p),
      logout,
      live,
    };
  }, [me.data, logout, live]);

  useEffect(() => {
    document.documentElement.lang = lang;
    rememberLang(lang);
  }, [lang]);

  if (!session) {
    return (
      <I18nProvider lang={storedLang()}>
        <main className="login" id="main">
          {me.error ? <ErrorNote error={me.error} /> : <Loading />}
        </main>
      </I18nProvider>
    );
  }
  return (
    <I18nProvider lang={lang}>
      <SessionContext.Provider value={session}>
        <Shell />
      </SessionContext.Provider>
    </I18nProvider>
  );
}

function Shell() {
  const { t } = useT();
  const route = useRoute();
  const { can } = useSession();
  useLiveInbox();

  let page: React.ReactNode;
  switch (route.name) {
    case 'inbox':
      page = <InboxPage conversationId={route.conversationId} />;
      break;
    case 'tickets':
      page = can('manage:tickets') ? <TicketsPage ticketId={route.ticketId} /> : <NoPermission />;
      break;
    case 'customer':
      page = <CustomerPage customerId={route.customerId} />;
      break;
    case 'agents':
      page = can('manage:agents') ? <AgentsPage /> : <NoPermission />;
      break;
    case 'settings':
      page = can('system:admin') ? <SettingsPage /> : <NoPermission />;
      break;
    default:
      page = <NoPermission notFound />;
  }

  useEffect(() => {
    document.title = `${t('app.title')} · WhatsApp CRM`;
  }, [t]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <Header />
      <main id="main" className="main" tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}

function NoPermission({ notFound }: { notFound?: boolean }) {
  const { t } = useT();
  return (
    <section className="empty-page">
      <p>{notFound ? t('common.empty') : t('common.noPermission')}</p>
      <Link href="/">{t('conv.back')}</Link>
    </section>
  );
}

const AGENT_STATUSES = ['online', 'busy', 'away', 'offline'] as const;

function Header() {
  const { t, label } = useT();
  const trpc = useTRPC();
  const { me, can, logout, live } = useSession();
  const route = useRoute();
  const ids = { status: useId(), lang: useId(), sound: useId(), push: useId() };
  const [permission, setPermission] = useState(notificationPermission);
  const meKey = trpc.auth.me.queryKey();

  const queryClient = useQueryClient();
  const refreshMe = () => queryClient.invalidateQueries({ queryKey: meKey });
  const setStatus = useMutation(trpc.agents.setStatus.mutationOptions({ onSettled: refreshMe }));
  const prefs = useMutation(trpc.agents.updatePreferences.mutationOptions({ onSettled: refreshMe }));
  const signOut = useMutation(trpc.auth.logout.mutationOptions({ onSettled: () => logout() }));

  const nav: { href: string; text: string; active: boolean; show: boolean }[] = [
    { href: '/', text: t('nav.inbox'), active: route.name === 'inbox', show: can('read:conversations') },
    {
      href: '/tickets',
      text: t('nav.tickets'),
      active: route.name === 'tickets',
      show: can('manage:tickets'),
    },
    {
      href: '/admin/agents',
      text: t('nav.agents'),
      active: route.name === 'agents',
      show: can('manage:agents'),
    },
    {
      href: '/admin/settings',
      text: t('nav.settings'),
      active: route.name === 'settings',
      show: can('system:admin'),
    },
  ];

  const notifications = me.preferences.notifications;

  return (
    <header className="header">
      <div className="brand">
        <span className="brand-dot" aria-hidden="true" /> <span className="brand-name">WhatsApp CRM</span>
      </div>
      <nav aria-label={t('nav.main')} className="nav">
        {nav
          .filter((n) => n.show)
          .map((n) => (
            <Link
              key={n.href}
              href={n.href}
              aria-current={n.active ? 'page' : undefined}
              className="nav-link"
            >
              {n.text}
            </Link>
          ))}
      </nav>
      <div className="header-tools">
        <span
          className={`live live-${live}`}
          title={live === 'open' ? t('header.live') : t('header.offline')}
        >
          <span className="live-dot" aria-hidden="true" />
          <span className="live-text">{live === 'open' ? t('header.live') : t('header.offline')}</span>
        </span>
        <label htmlFor={ids.status} className="visually-hidden">
          {t('header.status')}
        </label>
        <select
          id={ids.status}
          className={`status-select status-${me.status}`}
          value={me.status}
          onChange={(e) => setStatus.mutate({ status: e.target.value as (typeof AGENT_STATUSES)[number] })}
        >
          {AGENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {label('agentStatus', s)}
            </option>
          ))}
        </select>
        <details className="menu">
          <summary>
            <span className="menu-name">{personName(me)}</span>
          </summary>
          <div className="menu-body">
            <p className="muted small">
              {me.email} · {label('role', me.role)}
            </p>
            <label htmlFor={ids.lang}>{t('header.language')}</label>
            <select
              id={ids.lang}
              value={asLang(me.preferences.language)}
              onChange={(e) => prefs.mutate({ preferences: { language: asLang(e.target.value) } })}
            >
              <option value="es">Español</option>
              <option value="en">English</option>
            </select>
            <div className="check">
              <input
                id={ids.sound}
                type="checkbox"
                checked={notifications.sound}
                onChange={(e) =>
                  prefs.mutate({ preferences: { notifications: { sound: e.target.checked } } })
                }
              />
              <label htmlFor={ids.sound}>{t('header.sound')}</label>
            </div>
            <div className="check">
              <input
                id={ids.push}
                type="checkbox"
                checked={notifications.push}
                onChange={(e) => prefs.mutate({ preferences: { notifications: { push: e.target.checked } } })}
              />
              <label htmlFor={ids.push}>{t('header.push')}</label>
            </div>
            {notifications.push && permission === 'default' ? (
              <button type="button" onClick={() => void requestNotificationPermission().then(setPermission)}>
                {t('header.enableNotifications')}
              </button>
            ) : null}
            <ErrorNote error={prefs.error ?? setStatus.error} />
            <button type="button" onClick={() => signOut.mutate()}>
              {t('header.logout')}
            </button>
          </div>
        </details>
      </div>
    </header>
  );
}

export function goToConversation(id: string): void {
  navigate(`/c/${id}`);
}
