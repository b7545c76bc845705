/** Opens a ticket from a conversation (customer and conversation come from it). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useT } from '../i18n';
import { navigate } from '../router';
import { type Conversation, type Inputs, useTRPC } from '../trpc';
import { ErrorNote, useToast } from '../ui';

type CreateInput = Inputs['tickets']['create'];
export const TICKET_CATEGORIES = [
  'technical_support',
  'billing',
  'product_inquiry',
  'complaint',
  'feature_request',
  'bug_report',
  'general_inquiry',
  'other',
] as const;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

const CATEGORY_FROM_CONVERSATION: Record<string, CreateInput['category']> = {
  technical: 'technical_support',
  billing: 'billing',
  complaint: 'complaint',
  sales: 'product_inquiry',
  support: 'general_inquiry',
  other: 'other',
};

export function TicketForm({ conversation, onDone }: { conversation: Conversation; onDone: () => void }) {
  const { t, label } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState(conversation.lastMessage?.content ?? '');
  const [category, setCategory] = useState<CreateInput['category']>(
    CATEGORY_FROM_CONVERSATION[conversation.category] ?? 'general_inquiry',
  );
  const [priority, setPriority] = useState<(typeof PRIORITIES)[number]>(conversation.priority);
  const ids = { subject: useId(), description: useId(), category: useId(), priority: useId() };
  const create = useMutation(
    trpc.tickets.create.mutationOptions({
      onSuccess: (ticket) => {
        void queryClient.invalidateQueries({ queryKey: trpc.tickets.pathKey() });
        void queryClient.invalidateQueries({
          queryKey: trpc.customers.get.queryKey({ customerId: conversation.customerId }),
        });
        toast(t('ticket.created', { id: ticket.ticketId }));
        onDone();
        navigate(`/tickets/${ticket.id}`);
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      conversationId: conversation.id,
      subject: subject.trim(),
      description: description.trim(),
      category,
      priority,
    });
  };
  return (
    <form className="stack" onSubmit={submit}>
      <label htmlFor={ids.subject}>{t('ticket.subject')}</label>
      <input
        id={ids.subject}
        required
        maxLength={200}
        value={subject}
        onChange={(e) => setSubject(e.target.value)}
      />
      <label htmlFor={ids.description}>{t('ticket.description')}</label>
      <textarea
        id={ids.description}
        required
        rows={4}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <div className="two-col">
        <div className="stack">
          <label htmlFor={ids.category}>{t('ticket.category')}</label>
          <select
            id={ids.category}
            value={category}
            onChange={(e) => setCategory(e.target.value as CreateInput['category'])}
          >
            {TICKET_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {label('ticketCategory', c)}
              </option>
            ))}
          </select>
        </div>
        <div className="stack">
          <label htmlFor={ids.priority}>{t('ticket.priority')}</label>
          <select
            id={ids.priority}
            value={priority}
            onChange={(e) => setPriority(e.target.value as (typeof PRIORITIES)[number])}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {label('priority', p)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={create.error} />
      <div className="buttons">
        <button type="button" onClick={onDone}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('ticket.create')}
        </button>
      </div>
    </form>
  );
}
