/** Admins: the agents (create, change role, deactivate/reactivate). Needs manage:agents. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { formatWhen, personName } from '../format';
import { useT } from '../i18n';
import { useSession } from '../session';
import { type Agent, type Inputs, useTRPC } from '../trpc';
import { Chip, ErrorNote, Loading, useNow, useToast } from '../ui';

type Role = NonNullable<Inputs['agents']['create']['role']>;
const ROLES: Role[] = ['agent', 'supervisor', 'admin'];

export function AgentsPage() {
  const { t } = useT();
  const trpc = useTRPC();
  const list = useQuery(trpc.agents.list.queryOptions({ limit: 100 }));
  return (
    <section className="page" aria-labelledby="agents-title">
      <h1 id="agents-title">{t('agents.title')}</h1>
      <CreateAgent />
      <ErrorNote error={list.error} />
      {list.isPending ? <Loading /> : null}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('agents.name')}</th>
              <th scope="col">{t('agents.email')}</th>
              <th scope="col">{t('agents.role')}</th>
              <th scope="col">{t('agents.status')}</th>
              <th scope="col">{t('agents.active')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((a) => (
              <AgentRow key={a.id} agent={a} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AgentRow({ agent: a }: { agent: Agent }) {
  const { t, label, lang } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useSession();
  const now = useNow(60_000);
  const ids = { role: useId() };
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
  const update = useMutation(trpc.agents.update.mutationOptions({ onSettled: refresh }));
  const deactivate = useMutation(trpc.agents.deactivate.mutationOptions({ onSettled: refresh }));
  const reactivate = useMutation(trpc.agents.reactivate.mutationOptions({ onSettled: refresh }));
  const self = a.id === me.id;
  const error = update.error ?? deactivate.error ?? reactivate.error;
  return (
    <tr data-agent-email={a.email}>
      <th scope="row">
        {personName(a)}
        {a.lastLogin ? <div className="muted small">{formatWhen(a.lastLogin, lang, now)}</div> : null}
        <ErrorNote error={error} />
      </th>
      <td>{a.email}</td>
      <td>
        <label htmlFor={ids.role} className="visually-hidden">
          {t('agents.role')} · {personName(a)}
        </label>
        <select
          id={ids.role}
          value={a.role}
          disabled={self || !a.isActive}
          onChange={(e) => update.mutate({ agentId: a.id, role: e.target.value as Role })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {label('role', r)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <Chip tone={a.status === 'online' ? 'green' : a.status === 'offline' ? 'neutral' : 'amber'}>
          {label('agentStatus', a.status)}
        </Chip>
      </td>
      <td>
        {a.isActive ? (
          <button
            type="button"
            className="danger"
            disabled={self || deactivate.isPending}
            onClick={() => deactivate.mutate({ agentId: a.id })}
            aria-label={`${t('agents.deactivate')} ${personName(a)}`}
          >
            {t('agents.deactivate')}
          </button>
        ) : (
          <>
            <Chip>{t('agents.inactive')}</Chip>{' '}
            <button
              type="button"
              disabled={reactivate.isPending}
              onClick={() => reactivate.mutate({ agentId: a.id })}
              aria-label={`${t('agents.reactivate')} ${personName(a)}`}
            >
              {t('agents.reactivate')}
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

function CreateAgent() {
  const { t, label } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const empty = { firstName: '', lastName: '', email: '', password: '', role: 'agent' as Role };
  const [form, setForm] = useState(empty);
  const ids = { first: useId(), last: useId(), email: useId(), password: useId(), role: useId() };
  const create = useMutation(
    trpc.agents.create.mutationOptions({
      onSuccess: (agent) => {
        setForm(empty);
        toast(t('agents.created', { name: personName(agent) }));
        void queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      firstName: form.firstName.trim(),
      lastName: form.lastName.trim(),
      email: form.email.trim(),
      password: form.password,
      role: form.role,
    });
  };
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  return (
    <form className="card create-agent" onSubmit={submit} aria-labelledby="create-agent-title">
      <h2 id="create-agent-title">{t('agents.create')}</h2>
      <div className="grid-form">
        <label htmlFor={ids.first}>{t('agents.firstName')}</label>
        <input id={ids.first} required maxLength={50} value={form.firstName} onChange={set('firstName')} />
        <label htmlFor={ids.last}>{t('agents.lastName')}</label>
        <input id={ids.last} required maxLength={50} value={form.lastName} onChange={set('lastName')} />
        <label htmlFor={ids.email}>{t('agents.email')}</label>
        <input id={ids.email} type="email" required value={form.email} onChange={set('email')} />
        <label htmlFor={ids.password}>{t('agents.password')}</label>
        <input
          id={ids.password}
          type="password"
          required
          minLength={12}
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
        />
        <label htmlFor={ids.role}>{t('agents.role')}</label>
        <select id={ids.role} value={form.role} onChange={set('role')}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {label('role', r)}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={create.error} />
      <button type="submit" className="primary" disabled={create.isPending}>
        {t('agents.create')}
      </button>
    </form>
  );
}
