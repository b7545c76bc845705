/**
 * The live inbox: one `inbox.events` subscription over the websocket for the whole session. Each
 * event refreshes what it touches (lists, the open conversation, its messages, tickets, the
 * customer) and new customer messages / assignments to me ring and notify as my preferences say.
 * Events are `tracked`: after a reconnect the client resumes with the last event id it saw, so
 * nothing published in between is lost.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { raiseAlert } from './alerts';
import { customerName } from './format';
import { useT } from './i18n';
import { navigate } from './router';
import { useSession } from './session';
import { type InboxEvent, isUnauthorized, useTRPC } from './trpc';
import { useToast } from './ui';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function useLiveInbox(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me, can, logout } = useSession();
  const { t } = useT();
  const toast = useToast();
  const latest = useRef({ me, t, toast });
  latest.current = { me, t, toast };

  const alertFor = async (
    customerId: string | undefined,
    text: (name: string) => string,
    conversationId?: string,
  ) => {
    const { me: agent, t: tr, toast: push } = latest.current;
    let name = tr('alert.customer');
    if (customerId) {
      try {
        const details = await queryClient.fetchQuery(trpc.customers.get.queryOptions({ customerId }));
        name = customerName(details.customer);
      } catch {
        // the name is a nicety
      }
    }
    const title = text(name);
    push(title);
    raiseAlert(agent.preferences.notifications, {
      title,
      ...(conversationId ? { tag: conversationId, onClick: () => navigate(`/c/${conversationId}`) } : {}),
    });
  };

  const onEvent = (envelope: InboxEvent) => {
    const event = envelope.data;
    const p = event.payload as Record<string, unknown>;
    const conversationId = str(p.conversationId);
    const customerId = str(p.customerId);
    const assignedAgent = str(p.assignedAgent);
    const type = event.type;
    const myId = latest.current.me.id;

    if (type.startsWith('conversation.') || type.startsWith('message.')) {
      void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() });
      if (conversationId) {
        void queryClient.invalidateQueries({ queryKey: trpc.conversations.get.queryKey({ conversationId }) });
        void queryClient.invalidateQueries({
          queryKey: trpc.messages.list.pathKey(),
          predicate: (q) => JSON.stringify(q.queryKey).includes(conversationId),
        });
      }
      if (customerId) {
        void queryClient.invalidateQueries({ queryKey: trpc.customers.get.queryKey({ customerId }) });
      }
    }
    if (type.startsWith('ticket.')) {
      void queryClient.invalidateQueries({ queryKey: trpc.tickets.pathKey() });
      if (customerId)
        void queryClient.invalidateQueries({ queryKey: trpc.customers.get.queryKey({ customerId }) });
    }
    if (type === 'customer.updated' && customerId) {
      void queryClient.invalidateQueries({ queryKey: trpc.customers.get.queryKey({ customerId }) });
    }
    if (type === 'agent.updated') {
      void queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
      if (str(p.agentId) === myId) void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
    }

    const t = latest.current.t;
    if (type === 'message.received' && (assignedAgent === undefined || assignedAgent === myId)) {
      void alertFor(customerId, (name) => t('alert.newMessage', { name }), conversationId);
    }
    if (
      (type === 'conversation.assigned' || type === 'conversation.transferred') &&
      assignedAgent === myId &&
      str(p.assignedBy) !== myId &&
      str(p.transferredBy) !== myId
    ) {
      void alertFor(customerId, (name) => t('alert.assigned', { name }), conversationId);
    }
  };

  // The last event seen, and where a new subscription (after the server ended one) resumes from.
  const lastEventId = useRef<string | null>(null);
  const [resumeFrom, setResumeFrom] = useState<string | null>(null);
  const started = useRef(false);
  const subscription = useSubscription(
    trpc.inbox.events.subscriptionOptions(resumeFrom ? { lastEventId: resumeFrom } : undefined, {
      enabled: can('read:conversations'),
      onStarted: () => {
        started.current = true;
      },
      onData: (envelope) => {
        lastEventId.current = envelope.id;
        onEvent(envelope);
      },
      // The session ended (logout elsewhere, expiry, deactivation): back to the login screen.
      onError: (error) => {
        if (isUnauthorized(error)) logout();
      },
    }),
  );

  // The server ends the stream when the agent's access changes (deactivated, role or permissions
  // changed). Ask who we are again: a dead session signs out (the query cache's UNAUTHORIZED
  // handler); a live one follows the inbox again from the last event seen.
  const { status, reset } = subscription;
  useEffect(() => {
    if (status !== 'idle' || !started.current) return;
    started.current = false;
    let cancelled = false;
    void queryClient
      .fetchQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 })
      .then(() => {
        if (cancelled) return;
        void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        if (lastEventId.current && lastEventId.current !== resumeFrom) setResumeFrom(lastEventId.current);
        else reset();
      })
      .catch((error: unknown) => {
        if (isUnauthorized(error)) logout();
      });
    return () => {
      cancelled = true;
    };
  }, [status, reset, queryClient, trpc, logout, resumeFrom]);
}
