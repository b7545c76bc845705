/**
 * The customer: profile, tags, segment, custom fields, block/unblock, and their conversations and
 * tickets. Beside a conversation (the panel) or on its own page.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useCustomer } from '../directory';
import { customerName, formatDate, formatWhen } from '../format';
import { useT } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { type CustomerDetails, type Inputs, useTRPC } from '../trpc';
import { Avatar, Chip, ErrorNote, Loading, TagEditor, useNow } from '../ui';

const SEGMENTS = ['new', 'regular', 'vip', 'inactive'] as const;
type Segment = NonNullable<Inputs['customers']['update']['changes']['segment']>;

export function CustomerPanel({
  customerId,
  currentConversationId,
  onClose,
}: {
  customerId: string;
  currentConversationId?: string;
  /** Shown as a drawer (narrow screens): a close button, and Escape closes it. */
  onClose?: () => void;
}) {
  const { t } = useT();
  const customer = useCustomer(customerId);
  return (
    <aside
      className="pane pane-customer"
      aria-label={t('conv.customerPanel')}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && onClose) onClose();
      }}
    >
      {onClose ? (
        <button
          type="button"
          className="icon-button drawer-close"
          onClick={onClose}
          aria-label={t('common.close')}
        >
          ×
        </button>
      ) : null}
      {customer.error ? <ErrorNote error={customer.error} /> : null}
      {customer.data ? (
        <CustomerProfile details={customer.data} currentConversationId={currentConversationId} />
      ) : customer.error ? null : (
        <Loading />
      )}
    </aside>
  );
}

export function CustomerPage({ customerId }: { customerId: string }) {
  const { t } = useT();
  const customer = useCustomer(customerId);
  return (
    <section className="page customer-page" aria-label={t('customer.title')}>
      <Link href="/">← {t('conv.back')}</Link>
      {customer.error ? <ErrorNote error={customer.error} /> : null}
      {customer.data ? <CustomerProfile details={customer.data} /> : customer.error ? null : <Loading />}
    </section>
  );
}

function CustomerProfile({
  details,
  currentConversationId,
}: {
  details: CustomerDetails;
  currentConversationId?: string | undefined;
}) {
  const { t, label, lang } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const now = useNow(60_000);
  const c = details.customer;
  const name = customerName(c);
  const editable = can('manage:customers') && !c.erasedAt;
  const ids = { segment: useId(), reason: useId(), key: useId(), value: useId() };
  const [reason, setReason] = useState('');
  const [fieldKey, setFieldKey] = useState('');
  const [fieldValue, setFieldValue] = useState('');

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.customers.get.queryKey({ customerId: c.id }) });
  };
  const update = useMutation(trpc.customers.update.mutationOptions({ onSettled: refresh }));
  const tags = useMutation(trpc.customers.tags.mutationOptions({ onSettled: refresh }));
  const fields = useMutation(
    trpc.customers.customFields.mutationOptions({
      onSettled: refresh,
      onSuccess: () => {
        setFieldKey('');
        setFieldValue('');
      },
    }),
  );
  const block = useMutation(
    trpc.customers.block.mutationOptions({ onSettled: refresh, onSuccess: () => setReason('') }),
  );
  const unblock = useMutation(
    trpc.customers.unblock.mutationOptions({ onSettled: refresh, onSuccess: () => setReason('') }),
  );
  const error = update.error ?? tags.error ?? fields.error ?? block.error ?? unblock.error;

  return (
    <div className="customer">
      <div className="customer-head">
        <Avatar name={name} />
        <div>
          <h2 className="customer-name">{name}</h2>
          <div className="muted small">{c.phoneNumber}</div>
          {c.email ? <div className="muted small">{c.email}</div> : null}
        </div>
      </div>
      <div className="customer-chips">
        <Chip tone={c.segment === 'vip' ? 'amber' : 'neutral'}>{label('segment', c.segment)}</Chip>
        <Chip tone={c.isBlocked ? 'red' : 'green'}>
          {label('customerStatus', c.isBlocked ? 'blocked' : c.status)}
        </Chip>
      </div>
      <p className="muted small">
        {t('customer.stats', {
          count: c.statistics.totalMessages ?? 0,
          since: formatDate(c.firstContact ?? c.createdAt, lang),
        })}
      </p>
      {c.isBlocked ? (
        <p className="error" role="note">
          {t('customer.blocked', { reason: c.blockReason ?? '' })}
        </p>
      ) : null}

      <h3>{t('customer.segment')}</h3>
      <label htmlFor={ids.segment} className="visually-hidden">
        {t('customer.segment')}
      </label>
      <select
        id={ids.segment}
        value={c.segment}
        disabled={!editable}
        onChange={(e) => update.mutate({ customerId: c.id, changes: { segment: e.target.value as Segment } })}
      >
        {SEGMENTS.map((s) => (
          <option key={s} value={s}>
            {label('segment', s)}
          </option>
        ))}
      </select>

      <h3>{t('common.tags')}</h3>
      <TagEditor
        tags={c.tags}
        label={`${t('common.tags')} · ${t('customer.title')}`}
        disabled={!editable}
        onChange={(next) => tags.mutate({ customerId: c.id, set: next })}
      />

      <h3>{t('customer.customFields')}</h3>
      <dl className="facts">
        {Object.entries(c.customFields).map(([key, value]) => (
          <div key={key} className="fact">
            <dt>{key}</dt>
            <dd>
              {value}
              {editable ? (
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={t('common.remove', { name: key })}
                  onClick={() => fields.mutate({ customerId: c.id, fields: { [key]: null } })}
                >
                  ×
                </button>
              ) : null}
            </dd>
          </div>
        ))}
      </dl>
      {editable ? (
        <form
          className="inline-form wrap"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            fields.mutate({ customerId: c.id, fields: { [fieldKey.trim()]: fieldValue.trim() } });
          }}
        >
          <label htmlFor={ids.key} className="visually-hidden">
            {t('customer.fieldName')}
          </label>
          <input
            id={ids.key}
            required
            maxLength={50}
            placeholder={t('customer.fieldName')}
            value={fieldKey}
            onChange={(e) => setFieldKey(e.target.value)}
          />
          <label htmlFor={ids.value} className="visually-hidden">
            {t('customer.fieldValue')}
          </label>
          <input
            id={ids.value}
            required
            placeholder={t('customer.fieldValue')}
            value={fieldValue}
            onChange={(e) => setFieldValue(e.target.value)}
          />
          <button type="submit" disabled={!fieldKey.trim() || !fieldValue.trim()}>
            {t('common.add')}
          </button>
        </form>
      ) : null}

      {editable ? <h3>{c.isBlocked ? t('customer.unblock') : t('customer.block')}</h3> : null}
      {editable ? (
        <form
          className="inline-form wrap block-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            const input = { customerId: c.id, reason: reason.trim() };
            if (c.isBlocked) unblock.mutate(input);
            else block.mutate(input);
          }}
        >
          <label htmlFor={ids.reason} className="visually-hidden">
            {t('common.reason')}
          </label>
          <input
            id={ids.reason}
            required
            placeholder={t('common.reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" className={c.isBlocked ? '' : 'danger'} disabled={!reason.trim()}>
            {c.isBlocked ? t('customer.unblock') : t('customer.block')}
          </button>
        </form>
      ) : null}
      <ErrorNote error={error} />

      <h3>{t('customer.conversations')}</h3>
      <ul className="link-list">
        {details.conversations.map((conv) => (
          <li key={conv.id}>
            {conv.id === currentConversationId ? (
              <span aria-current="true">
                {formatWhen(conv.lastMessage?.timestamp ?? conv.createdAt, lang, now)} ·{' '}
                {label('convStatus', conv.status)}
              </span>
            ) : (
              <Link href={`/c/${conv.id}`}>
                {formatWhen(conv.lastMessage?.timestamp ?? conv.createdAt, lang, now)} ·{' '}
                {label('convStatus', conv.status)}
              </Link>
            )}
            <span className="muted small"> {conv.lastMessage?.content?.slice(0, 40)}</span>
          </li>
        ))}
      </ul>
      {details.tickets.length > 0 || can('manage:tickets') ? (
        <>
          <h3>{t('customer.tickets')}</h3>
          <ul className="link-list">
            {details.tickets.map((tk) => (
              <li key={tk.id}>
                <Link href={`/tickets/${tk.id}`}>{tk.ticketId}</Link> · {tk.subject} ·{' '}
                <span className="muted small">{label('ticketStatus', tk.status)}</span>
              </li>
            ))}
            {details.tickets.length === 0 ? <li className="muted small">{t('common.empty')}</li> : null}
          </ul>
        </>
      ) : null}
    </div>
  );
}
