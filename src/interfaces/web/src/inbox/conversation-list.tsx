/** The conversation list: filters, pages by cursor, unread counts, last message, SLA badges. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useAgentDirectory, useCustomer } from '../directory';
import { customerName, formatWhen } from '../format';
import { useT } from '../i18n';
import { Icon, type IconName } from '../icons';
import { Link } from '../router';
import { useSession } from '../session';
import { useSlaConfig } from '../sla';
import { type Conversation, type Inputs, useTRPC } from '../trpc';
import { Avatar, Chip, ErrorNote, Loading, PRIORITY_TONE, useNow } from '../ui';
import { SlaChip } from './sla-chip';

type ListInput = Inputs['conversations']['list'];
type Scope = 'all' | 'mine' | 'unassigned';

const STATUSES = ['open', 'assigned', 'waiting', 'resolved', 'closed'] as const;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
const CATEGORIES = ['support', 'sales', 'billing', 'technical', 'complaint', 'other'] as const;
const ACTIVE: ListInput['status'] = ['open', 'assigned', 'waiting'];

const TYPE_ICON: Record<string, IconName> = {
  image: 'image',
  location: 'pin',
  document: 'file',
  template: 'template',
};

export function ConversationList({ selectedId }: { selectedId?: string | undefined }) {
  const { t, label } = useT();
  const trpc = useTRPC();
  const { me } = useSession();
  const seesAll = me.role !== 'agent';
  const [scope, setScope] = useState<Scope>(seesAll ? 'all' : 'mine');
  const [status, setStatus] = useState<string>('active');
  const [priority, setPriority] = useState('');
  const [category, setCategory] = useState('');
  const [tag, setTag] = useState('');
  const ids = { status: useId(), priority: useId(), category: useId(), tag: useId(), scope: useId() };

  const input: ListInput = {
    limit: 25,
    ...(status === 'active'
      ? { status: ACTIVE }
      : status
        ? { status: [status as (typeof STATUSES)[number]] }
        : {}),
    ...(priority ? { priority: priority as (typeof PRIORITIES)[number] } : {}),
    ...(category ? { category: category as (typeof CATEGORIES)[number] } : {}),
    ...(tag.trim() ? { tags: [tag.trim()] } : {}),
    ...(scope === 'mine' ? { assignedAgent: me.id } : scope === 'unassigned' ? { unassigned: true } : {}),
  };
  const list = useInfiniteQuery(
    trpc.conversations.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  // A plain agent sees their own conversations and the queue; everything is for supervisors and admins.
  const scopes: Scope[] = seesAll ? ['all', 'mine', 'unassigned'] : ['mine', 'unassigned'];

  return (
    <section className="pane pane-list" aria-labelledby="inbox-title">
      <div className="pane-head">
        <h1 id="inbox-title">{t('inbox.title')}</h1>
      </div>
      <fieldset className="filters">
        <legend className="visually-hidden">{t('inbox.filters')}</legend>
        <div className="segmented" role="radiogroup" aria-label={t('inbox.scope')}>
          {scopes.map((s) => (
            <label key={s} className={scope === s ? 'segment active' : 'segment'}>
              <input
                type="radio"
                name={ids.scope}
                value={s}
                checked={scope === s}
                onChange={() => setScope(s)}
              />
              {t(`inbox.scope.${s}`)}
            </label>
          ))}
        </div>
        <div className="filter-row">
          <label htmlFor={ids.status} className="visually-hidden">
            {`${t('inbox.filters')}: ${t('inbox.status')}`}
          </label>
          <select
            id={ids.status}
            value={status}
            onChange={(e) => setStatus(e.target.value)}
            title={t('inbox.status')}
          >
            <option value="active">{t('inbox.status.active')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label('convStatus', s)}
              </option>
            ))}
            <option value="">{t('common.all')}</option>
          </select>
          <label htmlFor={ids.priority} className="visually-hidden">
            {`${t('inbox.filters')}: ${t('inbox.priority')}`}
          </label>
          <select
            id={ids.priority}
            value={priority}
            onChange={(e) => setPriority(e.target.value)}
            title={t('inbox.priority')}
          >
            <option value="">{t('inbox.priority')}</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {label('priority', p)}
              </option>
            ))}
          </select>
          <label htmlFor={ids.category} className="visually-hidden">
            {`${t('inbox.filters')}: ${t('inbox.category')}`}
          </label>
          <select
            id={ids.category}
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            title={t('inbox.category')}
          >
            <option value="">{t('inbox.category')}</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {label('convCategory', c)}
              </option>
            ))}
          </select>
          <label htmlFor={ids.tag} className="visually-hidden">
            {`${t('inbox.filters')}: ${t('inbox.tag')}`}
          </label>
          <input
            id={ids.tag}
            type="search"
            placeholder={`# ${t('inbox.tag')}`}
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
        </div>
      </fieldset>
      <ErrorNote error={list.error} />
      {list.isPending ? <Loading /> : null}
      {!list.isPending && items.length === 0 ? <p className="muted pad">{t('inbox.empty')}</p> : null}
      <ul className="conversation-list" aria-label={t('inbox.title')}>
        {items.map((c) => (
          <ConversationItem key={c.id} conversation={c} selected={c.id === selectedId} />
        ))}
      </ul>
      {list.hasNextPage ? (
        <button
          type="button"
          className="load-more"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {t('common.loadMore')}
        </button>
      ) : null}
    </section>
  );
}

function ConversationItem({ conversation: c, selected }: { conversation: Conversation; selected: boolean }) {
  const { t, lang, label } = useT();
  const { me } = useSession();
  const customer = useCustomer(c.customerId);
  const directory = useAgentDirectory();
  const sla = useSlaConfig(true);
  const now = useNow();
  const name = customerName(customer.data?.customer);
  const last = c.lastMessage;
  const assignee =
    c.assignedAgent === undefined
      ? t('common.unassigned')
      : c.assignedAgent === me.id
        ? t('common.you')
        : directory.name(c.assignedAgent);

  return (
    <li>
      <Link
        href={`/c/${c.id}`}
        className={`conversation-item${selected ? ' selected' : ''}${c.unreadCount > 0 ? ' unread' : ''}`}
        aria-current={selected ? 'page' : undefined}
        data-conversation-id={c.id}
      >
        <Avatar name={name} />
        <span className="ci-body">
          <span className="ci-top">
            <span className="ci-name">{name}</span>
            <time className="ci-time" dateTime={String(last?.timestamp ?? c.updatedAt)}>
              {formatWhen(last?.timestamp ?? c.updatedAt, lang, now)}
            </time>
          </span>
          <span className="ci-preview">
            {last?.from === 'agent' ? <span className="muted">{`${t('common.you')}: `}</span> : null}
            {last && TYPE_ICON[last.type] ? <Icon name={TYPE_ICON[last.type]!} /> : null}
            {last?.content || '—'}
          </span>
          <span className="ci-meta">
            {c.unreadCount > 0 ? (
              <span className="unread-badge" title={t('inbox.unread', { count: c.unreadCount })}>
                <span aria-hidden="true">{c.unreadCount}</span>
                <span className="visually-hidden">{t('inbox.unread', { count: c.unreadCount })}</span>
              </span>
            ) : null}
            <SlaChip conversation={c} segment={customer.data?.customer.segment} config={sla} now={now} />
            <Chip tone={PRIORITY_TONE[c.priority]}>{label('priority', c.priority)}</Chip>
            <Chip>{label('convStatus', c.status)}</Chip>
            {c.tags.slice(0, 3).map((tag) => (
              <Chip key={tag} tone="purple">
                #{tag}
              </Chip>
            ))}
            <span className="ci-assignee">{assignee}</span>
          </span>
        </span>
      </Link>
    </li>
  );
}
