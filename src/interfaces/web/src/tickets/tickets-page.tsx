/** Tickets: the list with filters, and one ticket with status changes, notes, escalation, resolution. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useAgentDirectory, useCustomer } from '../directory';
import { customerName, formatDateTime, formatWhen } from '../format';
import { useT } from '../i18n';
import { Icon } from '../icons';
import { Link } from '../router';
import { useSession } from '../session';
import { type Inputs, type Ticket, useTRPC } from '../trpc';
import { Chip, ErrorNote, Loading, PRIORITY_TONE, useNow } from '../ui';
import { TICKET_CATEGORIES } from './ticket-form';

type ListInput = Inputs['tickets']['list'];
const STATUSES = [
  'open',
  'in_progress',
  'waiting_customer',
  'waiting_internal',
  'resolved',
  'closed',
] as const;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
const RESOLUTIONS = ['solved', 'workaround', 'duplicate', 'invalid', 'wont_fix'] as const;
const OPEN_STATUSES: ListInput['status'] = ['open', 'in_progress', 'waiting_customer', 'waiting_internal'];

const STATUS_TONE: Record<string, 'neutral' | 'green' | 'amber' | 'blue'> = {
  open: 'blue',
  in_progress: 'blue',
  waiting_customer: 'amber',
  waiting_internal: 'amber',
  resolved: 'green',
  closed: 'neutral',
};

export function TicketsPage({ ticketId }: { ticketId?: string | undefined }) {
  return (
    <div className={`tickets ${ticketId ? 'has-selection' : 'no-selection'}`}>
      <TicketList selectedId={ticketId} />
      {ticketId ? <TicketDetail key={ticketId} ticketId={ticketId} /> : <EmptyDetail />}
    </div>
  );
}

function EmptyDetail() {
  const { t } = useT();
  return (
    <section className="pane pane-detail empty-pane">
      <p className="muted">{t('ticket.select')}</p>
    </section>
  );
}

function TicketList({ selectedId }: { selectedId?: string | undefined }) {
  const { t, label, lang } = useT();
  const trpc = useTRPC();
  const { me } = useSession();
  const now = useNow();
  const [status, setStatus] = useState('active');
  const [priority, setPriority] = useState('');
  const [category, setCategory] = useState('');
  const [escalated, setEscalated] = useState(false);
  const [mine, setMine] = useState(false);
  const ids = { status: useId(), priority: useId(), category: useId(), escalated: useId(), mine: useId() };
  const input: ListInput = {
    limit: 25,
    ...(status === 'active'
      ? { status: OPEN_STATUSES }
      : status
        ? { status: [status as (typeof STATUSES)[number]] }
        : {}),
    ...(priority ? { priority: priority as (typeof PRIORITIES)[number] } : {}),
    ...(category ? { category: category as (typeof TICKET_CATEGORIES)[number] } : {}),
    ...(escalated ? { escalated: true } : {}),
    ...(mine ? { assignedAgent: me.id } : {}),
  };
  const list = useInfiniteQuery(
    trpc.tickets.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="pane pane-list" aria-labelledby="tickets-title">
      <div className="pane-head">
        <h1 id="tickets-title">{t('ticket.list')}</h1>
      </div>
      <fieldset className="filters">
        <legend className="visually-hidden">{t('inbox.filters')}</legend>
        <div className="filter-row">
          <label htmlFor={ids.status} className="visually-hidden">
            {`${t('inbox.filters')}: ${t('ticket.status')}`}
          </label>
          <select
            id={ids.status}
            value={status}
            onChange={(e) => setStatus(e.target.value)}
            title={t('ticket.status')}
          >
            <option value="active">{t('inbox.status.active')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label('ticketStatus', s)}
              </option>
            ))}
            <option value="">{t('common.all')}</option>
          </select>
          <label htmlFor={ids.priority} className="visually-hidden">
            {`${t('inbox.filters')}: ${t('ticket.priority')}`}
          </label>
          <select id={ids.priority} value={priority} onChange={(e) => setPriority(e.target.value)}>
            <option value="">{t('ticket.priority')}</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {label('priority', p)}
              </option>
            ))}
          </select>
          <label htmlFor={ids.category} className="visually-hidden">
            {`${t('inbox.filters')}: ${t('ticket.category')}`}
          </label>
          <select id={ids.category} value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">{t('ticket.category')}</option>
            {TICKET_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {label('ticketCategory', c)}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-row">
          <span className="check">
            <input
              id={ids.escalated}
              type="checkbox"
              checked={escalated}
              onChange={(e) => setEscalated(e.target.checked)}
            />
            <label htmlFor={ids.escalated}>{t('ticket.escalatedOnly')}</label>
          </span>
          <span className="check">
            <input id={ids.mine} type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} />
            <label htmlFor={ids.mine}>{t('ticket.mineOnly')}</label>
          </span>
        </div>
      </fieldset>
      <ErrorNote error={list.error} />
      {list.isPending ? <Loading /> : null}
      {!list.isPending && items.length === 0 ? <p className="muted pad">{t('ticket.empty')}</p> : null}
      <ul className="conversation-list" aria-label={t('ticket.list')}>
        {items.map((ticket) => (
          <li key={ticket.id}>
            <Link
              href={`/tickets/${ticket.id}`}
              className={`conversation-item ticket-item${ticket.id === selectedId ? ' selected' : ''}`}
              aria-current={ticket.id === selectedId ? 'page' : undefined}
            >
              <span className="ci-body">
                <span className="ci-top">
                  <span className="ci-name">{ticket.subject}</span>
                  <time className="ci-time" dateTime={String(ticket.lastActivityAt)}>
                    {formatWhen(ticket.lastActivityAt, lang, now)}
                  </time>
                </span>
                <span className="ci-preview muted">{ticket.ticketId}</span>
                <span className="ci-meta">
                  <Chip tone={STATUS_TONE[ticket.status]}>{label('ticketStatus', ticket.status)}</Chip>
                  <Chip tone={PRIORITY_TONE[ticket.priority]}>{label('priority', ticket.priority)}</Chip>
                  {ticket.escalated ? <Chip tone="red">{t('ticket.escalated')}</Chip> : null}
                </span>
              </span>
            </Link>
          </li>
        ))}
      </ul>
      {list.hasNextPage ? (
        <button type="button" className="load-more" onClick={() => void list.fetchNextPage()}>
          {t('common.loadMore')}
        </button>
      ) : null}
    </section>
  );
}

function TicketDetail({ ticketId }: { ticketId: string }) {
  const { t, label, lang } = useT();
  const trpc = useTRPC();
  const ticket = useQuery(trpc.tickets.get.queryOptions({ ticketId }));
  const customer = useCustomer(ticket.data?.customerId);
  const directory = useAgentDirectory();
  if (ticket.error) {
    return (
      <section className="pane pane-detail">
        <ErrorNote error={ticket.error} />
      </section>
    );
  }
  const tk = ticket.data;
  if (!tk) {
    return (
      <section className="pane pane-detail">
        <Loading />
      </section>
    );
  }
  return (
    <section className="pane pane-detail ticket-detail" aria-labelledby="ticket-title">
      <div className="conv-head">
        <Link href="/tickets" className="back-link" aria-label={t('common.back')}>
          ←
        </Link>
        <div className="conv-title">
          <h2 id="ticket-title">{tk.subject}</h2>
          <div className="muted small">
            {tk.ticketId} · {formatDateTime(tk.createdAt, lang)}
          </div>
        </div>
        <div className="conv-chips">
          <Chip tone={STATUS_TONE[tk.status]}>
            <span data-ticket-status={tk.status}>{label('ticketStatus', tk.status)}</span>
          </Chip>
          <Chip tone={PRIORITY_TONE[tk.priority]}>{label('priority', tk.priority)}</Chip>
          {tk.escalated ? <Chip tone="red">{t('ticket.escalated')}</Chip> : null}
        </div>
      </div>
      <div className="detail-body">
        <dl className="facts">
          <dt>{t('ticket.customer')}</dt>
          <dd>
            <Link href={`/customers/${tk.customerId}`}>{customerName(customer.data?.customer)}</Link>
            {tk.conversationId ? (
              <>
                {' · '}
                <Link href={`/c/${tk.conversationId}`}>{t('ticket.conversation')}</Link>
              </>
            ) : null}
          </dd>
          <dt>{t('ticket.category')}</dt>
          <dd>{label('ticketCategory', tk.category)}</dd>
          <dt>{t('ticket.assignee')}</dt>
          <dd>{tk.assignedAgent ? directory.name(tk.assignedAgent) : t('common.unassigned')}</dd>
          <dt>SLA</dt>
          <dd>
            {t('ticket.sla', { level: tk.slaLevel })}
            {tk.estimatedResolution
              ? ` · ${t('ticket.estimated', { when: formatDateTime(tk.estimatedResolution, lang) })}`
              : ''}
          </dd>
        </dl>
        <p className="description">{tk.description}</p>
        {tk.escalated ? (
          <p className="escalation" role="note">
            <Icon name="flag" />{' '}
            {t('ticket.escalatedTo', {
              name: directory.name(tk.escalatedTo),
              reason: tk.escalationReason ?? '',
            })}
          </p>
        ) : null}
        {tk.resolution ? (
          <div className="resolution">
            <h3>{t('ticket.resolution')}</h3>
            <p>
              <Chip tone="green">{label('resolution', tk.resolution.resolutionCategory)}</Chip>{' '}
              {tk.resolution.summary}
            </p>
          </div>
        ) : null}
        <TicketActions ticket={tk} />
        <TicketNotes ticket={tk} />
      </div>
    </section>
  );
}

function useTicketRefresh(ticket: Ticket) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.tickets.pathKey() });
    void queryClient.invalidateQueries({
      queryKey: trpc.customers.get.queryKey({ customerId: ticket.customerId }),
    });
  };
}

function TicketActions({ ticket: tk }: { ticket: Ticket }) {
  const { t, label } = useT();
  const trpc = useTRPC();
  const { can } = useSession();
  const directory = useAgentDirectory();
  const refresh = useTicketRefresh(tk);
  const [status, setStatus] = useState<string>(tk.status === 'resolved' ? 'closed' : 'in_progress');
  const [statusReason, setStatusReason] = useState('');
  const [escalationReason, setEscalationReason] = useState('');
  const [summary, setSummary] = useState('');
  const [resolutionCategory, setResolutionCategory] = useState<(typeof RESOLUTIONS)[number]>('solved');
  const [assignee, setAssignee] = useState('');
  const ids = {
    status: useId(),
    statusReason: useId(),
    escalation: useId(),
    summary: useId(),
    resolution: useId(),
    assignee: useId(),
  };
  const changeStatus = useMutation(trpc.tickets.changeStatus.mutationOptions({ onSettled: refresh }));
  const escalate = useMutation(
    trpc.tickets.escalate.mutationOptions({ onSettled: refresh, onSuccess: () => setEscalationReason('') }),
  );
  const resolve = useMutation(
    trpc.tickets.resolve.mutationOptions({ onSettled: refresh, onSuccess: () => setSummary('') }),
  );
  const assign = useMutation(trpc.tickets.assign.mutationOptions({ onSettled: refresh }));
  const finished = tk.status === 'closed';

  return (
    <div className="ticket-actions">
      <form
        className="inline-form wrap"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          changeStatus.mutate({
            ticketId: tk.id,
            status: status as (typeof STATUSES)[number],
            ...(statusReason.trim() ? { reason: statusReason.trim() } : {}),
          });
        }}
      >
        <label htmlFor={ids.status}>{t('ticket.changeStatus')}</label>
        <select id={ids.status} value={status} onChange={(e) => setStatus(e.target.value)}>
          {STATUSES.filter((s) => s !== 'resolved').map((s) => (
            <option key={s} value={s}>
              {label('ticketStatus', s)}
            </option>
          ))}
        </select>
        <label htmlFor={ids.statusReason} className="visually-hidden">
          {t('common.reason')}
        </label>
        <input
          id={ids.statusReason}
          placeholder={t('common.reason')}
          value={statusReason}
          onChange={(e) => setStatusReason(e.target.value)}
        />
        <button type="submit" disabled={changeStatus.isPending || status === tk.status}>
          {t('common.save')}
        </button>
      </form>
      <ErrorNote error={changeStatus.error} />

      <form
        className="inline-form wrap"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          if (assignee) assign.mutate({ ticketId: tk.id, agentId: assignee });
        }}
      >
        <label htmlFor={ids.assignee}>{t('ticket.assignTo')}</label>
        <select
          id={ids.assignee}
          value={assignee}
          onChange={(e) => setAssignee(e.target.value)}
          disabled={finished}
        >
          <option value="">—</option>
          {directory.agents
            .filter((a) => a.isActive && a.id !== tk.assignedAgent)
            .map((a) => (
              <option key={a.id} value={a.id}>
                {directory.name(a.id)}
              </option>
            ))}
        </select>
        <button type="submit" disabled={!assignee || assign.isPending}>
          {t('conv.assign')}
        </button>
      </form>
      <ErrorNote error={assign.error} />

      {!tk.escalated && !finished && tk.status !== 'resolved' ? (
        <form
          className="inline-form wrap"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            escalate.mutate({ ticketId: tk.id, reason: escalationReason.trim() });
          }}
        >
          <label htmlFor={ids.escalation}>{t('ticket.escalate')}</label>
          <input
            id={ids.escalation}
            required
            placeholder={t('common.reason')}
            value={escalationReason}
            onChange={(e) => setEscalationReason(e.target.value)}
          />
          <button type="submit" className="danger" disabled={!escalationReason.trim() || escalate.isPending}>
            {t('ticket.escalate')}
          </button>
        </form>
      ) : null}
      <ErrorNote error={escalate.error} />

      {tk.status !== 'resolved' && !finished && can('manage:tickets') ? (
        <form
          className="stack resolve-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            resolve.mutate({ ticketId: tk.id, summary: summary.trim(), resolutionCategory });
          }}
        >
          <label htmlFor={ids.summary}>{t('ticket.resolutionSummary')}</label>
          <textarea
            id={ids.summary}
            rows={2}
            required
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
          />
          <div className="inline-form">
            <label htmlFor={ids.resolution}>{t('ticket.resolutionCategory')}</label>
            <select
              id={ids.resolution}
              value={resolutionCategory}
              onChange={(e) => setResolutionCategory(e.target.value as (typeof RESOLUTIONS)[number])}
            >
              {RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {label('resolution', r)}
                </option>
              ))}
            </select>
            <button type="submit" className="primary" disabled={!summary.trim() || resolve.isPending}>
              {t('ticket.resolve')}
            </button>
          </div>
        </form>
      ) : null}
      <ErrorNote error={resolve.error} />
    </div>
  );
}

function TicketNotes({ ticket: tk }: { ticket: Ticket }) {
  const { t, lang } = useT();
  const trpc = useTRPC();
  const directory = useAgentDirectory();
  const refresh = useTicketRefresh(tk);
  const [text, setText] = useState('');
  const [internal, setInternal] = useState(true);
  const ids = { text: useId(), internal: useId() };
  const add = useMutation(
    trpc.tickets.addNote.mutationOptions({ onSettled: refresh, onSuccess: () => setText('') }),
  );
  return (
    <section className="notes" aria-labelledby="ticket-notes-title">
      <h3 id="ticket-notes-title">{t('ticket.notes')}</h3>
      <ol className="note-list">
        {tk.notes.map((n) => (
          <li key={n.id} className="note">
            <div className="bubble-sender">
              {directory.name(n.agent)} · {formatDateTime(n.timestamp, lang)}
              {n.isInternal ? ` · ${t('ticket.noteInternal')}` : ''}
            </div>
            <p className="text">{n.content}</p>
          </li>
        ))}
      </ol>
      <form
        className="stack"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          add.mutate({ ticketId: tk.id, content: text.trim(), isInternal: internal });
        }}
      >
        <label htmlFor={ids.text}>{t('ticket.addNote')}</label>
        <textarea id={ids.text} rows={2} required value={text} onChange={(e) => setText(e.target.value)} />
        <div className="inline-form">
          <span className="check">
            <input
              id={ids.internal}
              type="checkbox"
              checked={internal}
              onChange={(e) => setInternal(e.target.checked)}
            />
            <label htmlFor={ids.internal}>{t('ticket.noteInternal')}</label>
          </span>
          <button type="submit" disabled={!text.trim() || add.isPending}>
            {t('ticket.addNote')}
          </button>
        </div>
        <ErrorNote error={add.error} />
      </form>
    </section>
  );
}
