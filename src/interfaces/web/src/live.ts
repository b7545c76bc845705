/**
 * The live inbox: one `inbox.events` subscription over the websocket for the whole session. Each
 * event refreshes what it touches (lists, the open conversation, its messages, tickets, the
 * customer) and new customer messages / assignments to me ring and notify as my preferences say.
 * Events are `tracked`: after a reconnect the client resumes with the last event id it saw, so
 * nothing published in between is lost (and so does a new subscription after the server ended one).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { raiseAlert } from './alerts';
import { customerName } from './format';
import { useT } from './i18n';
import { navigate } from './router';
import { useSession } from './session';
import { type InboxEvent, isUnauthorized, useTRPC, useTRPCClient } from './trpc';
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

  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  // One subscription for the session. tRPC's wsLink resumes it after a reconnect with the id of the
  // last event it got. When the server ends the stream (the agent was deactivated, or their role or
  // permissions changed), ask who we are again: a dead session signs out; a live one follows the
  // inbox again from the last event seen here.
  const client = useTRPCClient();
  const enabled = can('read:conversations');
  const lastEventId = useRef<string | null>(null);
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reason to subscribe again
  useEffect(() => {
    if (!enabled) return;
    let active = true;
    const recheck = () => {
      if (!active) return;
      queryClient
        .fetchQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 })
        .then(() => {
          if (active) setTimeout(() => active && setGeneration((g) => g + 1), 1_000);
        })
        .catch((error: unknown) => {
          if (isUnauthorized(error)) logout();
        });
    };
    const subscription = client.inbox.events.subscribe(
      lastEventId.current ? { lastEventId: lastEventId.current } : undefined,
      {
        onData: (envelope) => {
          lastEventId.current = envelope.id;
          onEventRef.current(envelope);
        },
        onStopped: recheck,
        onError: (error) => {
          if (isUnauthorized(error)) logout();
          else recheck();
        },
      },
    );
    return () => {
      active = false;
      subscription.unsubscribe();
    };
  }, [client, enabled, generation, logout, queryClient, trpc]);
}
