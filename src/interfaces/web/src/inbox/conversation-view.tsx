/**
 * One conversation: the history (messages and internal notes in time order, older pages on demand),
 * the actions (assign, transfer, status, priority, category, tags, AI on/off, open a ticket), the
 * reply box and the customer panel.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { CustomerPanel } from '../customers/customer-panel';
import { useAgentDirectory, useCustomer } from '../directory';
import { customerName, formatWhen, timeOf } from '../format';
import { useT } from '../i18n';
import { Icon } from '../icons';
import { Link } from '../router';
import { useSession } from '../session';
import { useSlaConfig } from '../sla';
import { TicketForm } from '../tickets/ticket-form';
import { type Conversation, type Inputs, type Message, useTRPC } from '../trpc';
import { Chip, Dialog, ErrorNote, Loading, PRIORITY_TONE, TagEditor, useNow } from '../ui';
import { MessageItem } from './message-item';
import { ReplyBox } from './reply-box';
import { SlaChip } from './sla-chip';

const STATUSES = ['open', 'assigned', 'waiting', 'resolved', 'closed'] as const;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
const CATEGORIES = ['support', 'sales', 'billing', 'technical', 'complaint', 'other'] as const;

type UpdateInput = Inputs['conversations']['update'];

export function ConversationView({
  conversationId,
  showCustomer,
  onToggleCustomer,
}: {
  conversationId: string;
  showCustomer: boolean;
  onToggleCustomer: () => void;
}) {
  const { t, label } = useT();
  const trpc = useTRPC();
  const now = useNow();
  const conversation = useQuery(trpc.conversations.get.queryOptions({ conversationId }));
  const c = conversation.data;
  const customer = useCustomer(c?.customerId);
  const sla = useSlaConfig(true);
  const name = customerName(customer.data?.customer);

  if (conversation.error) {
    return (
      <section className="pane pane-conversation">
        <ErrorNote error={conversation.error} />
        <Link href="/">{t('conv.back')}</Link>
      </section>
    );
  }
  if (!c) {
    return (
      <section className="pane pane-conversation">
        <Loading />
      </section>
    );
  }
  return (
    <>
      <section className="pane pane-conversation" aria-labelledby="conversation-title">
        <div className="conv-head">
          <Link href="/" className="back-link" aria-label={t('conv.back')}>
            ←
          </Link>
          <div className="conv-title">
            <h2 id="conversation-title">{name}</h2>
            <div className="muted small">
              {customer.data?.customer.phoneNumber}
              {c.escalated ? ` · ${t('conv.escalated')}` : ''}
            </div>
          </div>
          <div className="conv-chips">
            <SlaChip conversation={c} segment={customer.data?.customer.segment} config={sla} now={now} />
            <Chip tone={PRIORITY_TONE[c.priority]}>{label('priority', c.priority)}</Chip>
            <Chip>{label('convStatus', c.status)}</Chip>
          </div>
          <button
            type="button"
            className="customer-toggle"
            aria-expanded={showCustomer}
            onClick={onToggleCustomer}
          >
            {t('conv.showCustomer')}
          </button>
        </div>
        <ConversationActions conversation={c} customerName={name} />
        <Timeline conversation={c} customerName={name} now={now} />
        <ReplyBox conversation={c} now={now} />
      </section>
      <CustomerPanel
        customerId={c.customerId}
        currentConversationId={c.id}
        {...(showCustomer ? { onClose: onToggleCustomer } : {})}
      />
    </>
  );
}

function ConversationActions({
  conversation: c,
  customerName,
}: {
  conversation: Conversation;
  customerName: string;
}) {
  const { t, label } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me, can } = useSession();
  const directory = useAgentDirectory();
  const [target, setTarget] = useState('');
  const [ticketOpen, setTicketOpen] = useState(false);
  const ids = { target: useId(), status: useId(), priority: useId(), category: useId(), ai: useId() };

  const refresh = () => {
    void queryClient.invalidateQueries({
      queryKey: trpc.conversations.get.queryKey({ conversationId: c.id }),
    });
    void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() });
  };
  const assign = useMutation(trpc.conversations.assign.mutationOptions({ onSettled: refresh }));
  const transfer = useMutation(trpc.conversations.transfer.mutationOptions({ onSettled: refresh }));
  const changeStatus = useMutation(trpc.conversations.changeStatus.mutationOptions({ onSettled: refresh }));
  const update = useMutation(trpc.conversations.update.mutationOptions({ onSettled: refresh }));
  const patch = (changes: Omit<UpdateInput, 'conversationId'>) =>
    update.mutate({ conversationId: c.id, ...changes });

  const canWork = can('write:messages');
  const canAssignOthers = can('assign:conversations');
  const others = directory.agents.filter((a) => a.isActive && a.id !== c.assignedAgent);
  const error = assign.error ?? transfer.error ?? changeStatus.error ?? update.error;

  return (
    <fieldset className="conv-actions">
      <legend className="visually-hidden">{t('conv.actions')}</legend>
      <div className="action-row">
        <span className="assignee">
          {c.assignedAgent
            ? t('inbox.assignedTo', {
                name: c.assignedAgent === me.id ? t('common.you') : directory.name(c.assignedAgent),
              })
            : t('common.unassigned')}
        </span>
        {!c.assignedAgent && c.status !== 'closed' ? (
          <button
            type="button"
            className="primary"
            onClick={() => assign.mutate({ conversationId: c.id, agentId: me.id })}
            disabled={assign.isPending}
          >
            {t('conv.assignToMe')}
          </button>
        ) : null}
        {canAssignOthers && c.status !== 'closed' ? (
          <span className="inline-form">
            <label htmlFor={ids.target}>{c.assignedAgent ? t('conv.transferTo') : t('conv.assignTo')}</label>
            <select id={ids.target} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">—</option>
              {others.map((a) => (
                <option key={a.id} value={a.id}>
                  {directory.name(a.id)} · {label('agentStatus', a.status)}
                </option>
              ))}
            </select>
            <button
              type="button"
              disabled={!target}
              onClick={() => {
                if (c.assignedAgent) transfer.mutate({ conversationId: c.id, toAgentId: target });
                else assign.mutate({ conversationId: c.id, agentId: target });
                setTarget('');
              }}
            >
              {c.assignedAgent ? t('conv.transfer') : t('conv.assign')}
            </button>
          </span>
        ) : null}
        <button type="button" onClick={() => setTicketOpen(true)} disabled={!can('manage:tickets')}>
          {t('conv.openTicket')}
        </button>
      </div>
      <div className="action-row">
        <span className="inline-form">
          <label htmlFor={ids.status}>{t('conv.status')}</label>
          <select
            id={ids.status}
            value={c.status}
            disabled={!canWork}
            onChange={(e) =>
              changeStatus.mutate({
                conversationId: c.id,
                status: e.target.value as (typeof STATUSES)[number],
              })
            }
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label('convStatus', s)}
              </option>
            ))}
          </select>
        </span>
        <span className="inline-form">
          <label htmlFor={ids.priority}>{t('conv.priority')}</label>
          <select
            id={ids.priority}
            value={c.priority}
            disabled={!canWork}
            onChange={(e) => patch({ priority: e.target.value as (typeof PRIORITIES)[number] })}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {label('priority', p)}
              </option>
            ))}
          </select>
        </span>
        <span className="inline-form">
          <label htmlFor={ids.category}>{t('conv.category')}</label>
          <select
            id={ids.category}
            value={c.category}
            disabled={!canWork}
            onChange={(e) => patch({ category: e.target.value as (typeof CATEGORIES)[number] })}
          >
            {CATEGORIES.map((x) => (
              <option key={x} value={x}>
                {label('convCategory', x)}
              </option>
            ))}
          </select>
        </span>
        <span className="check">
          <input
            id={ids.ai}
            type="checkbox"
            checked={c.isAIEnabled}
            disabled={!canWork}
            onChange={(e) => patch({ isAIEnabled: e.target.checked })}
          />
          <label htmlFor={ids.ai}>{t('conv.ai')}</label>
        </span>
        <TagEditor
          tags={c.tags}
          label={t('common.tags')}
          disabled={!canWork}
          onChange={(tags) => patch({ tags })}
        />
      </div>
      <ErrorNote error={error} />
      <Dialog
        open={ticketOpen}
        onClose={() => setTicketOpen(false)}
        title={`${t('ticket.new')} · ${customerName}`}
      >
        <TicketForm conversation={c} onDone={() => setTicketOpen(false)} />
      </Dialog>
    </fieldset>
  );
}

type Entry =
  | { kind: 'message'; at: number; message: Message }
  | { kind: 'note'; at: number; note: Conversation['internalNotes'][number] };

function Timeline({
  conversation: c,
  customerName,
  now,
}: {
  conversation: Conversation;
  customerName: string;
  now: Date;
}) {
  const { t, lang } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const directory = useAgentDirectory();
  const messages = useInfiniteQuery(
    trpc.messages.list.infiniteQueryOptions(
      { conversationId: c.id, limit: 40 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const markRead = useMutation(
    trpc.conversations.markRead.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() }),
    }),
  );
  // Opening a conversation (or a new message arriving while it is open) reads it.
  const { mutate: read } = markRead;
  useEffect(() => {
    if (c.unreadCount > 0) read({ conversationId: c.id });
  }, [c.id, c.unreadCount, read]);

  const entries = useMemo<Entry[]>(() => {
    const list: Entry[] = (messages.data?.pages.flatMap((p) => p.items) ?? []).map((m) => ({
      kind: 'message',
      at: timeOf(m.timestamp),
      message: m,
    }));
    for (const note of c.internalNotes) list.push({ kind: 'note', at: timeOf(note.timestamp), note });
    return list.sort((a, b) => a.at - b.at);
  }, [messages.data, c.internalNotes]);

  // Stay at the bottom when new entries arrive, unless the agent scrolled up to read.
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the entries change
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [entries]);

  const senderName = (m: Message) => {
    if (m.direction === 'inbound') return customerName;
    if (m.sender === 'ai') return t('msg.from.ai');
    if (m.sender === 'system') return t('msg.from.system');
    return directory.name(m.agentId);
  };

  return (
    <div
      className="timeline"
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      }}
    >
      {messages.hasNextPage ? (
        <button
          type="button"
          className="load-more"
          onClick={() => void messages.fetchNextPage()}
          disabled={messages.isFetchingNextPage}
        >
          {t('common.loadOlder')}
        </button>
      ) : null}
      <ErrorNote error={messages.error} />
      {messages.isPending ? <Loading /> : null}
      {!messages.isPending && entries.length === 0 ? (
        <p className="muted pad">{t('conv.noMessages')}</p>
      ) : null}
      <ol className="messages" aria-label={t('conv.history')} aria-live="polite" aria-relevant="additions">
        {entries.map((e) =>
          e.kind === 'message' ? (
            <MessageItem
              key={e.message.id}
              message={e.message}
              senderName={senderName(e.message)}
              now={now}
            />
          ) : (
            <li key={`note-${e.note.id}`} className="note-entry">
              <div className="note">
                <div className="bubble-sender">
                  <Icon name="note" /> {t('conv.noteBy', { name: directory.name(e.note.agent) })}
                </div>
                <p className="text">{e.note.content}</p>
                <div className="bubble-foot">
                  <time dateTime={String(e.note.timestamp)}>{formatWhen(e.note.timestamp, lang, now)}</time>
                </div>
              </div>
            </li>
          ),
        )}
      </ol>
    </div>
  );
}
