/**
 * A small typed client of the agent API: logs in, lists the inbox, then follows the live
 * `inbox.events` subscription and prints each event, resuming from the last event id whenever the
 * connection comes back.
 *
 *   CRM_URL=http://127.0.0.1:3000 CRM_EMAIL=agent@example.com CRM_PASSWORD='…' npx tsx examples/inbox-client.ts
 *
 * Queries and mutations go over HTTP, the subscription over a websocket (`splitLink`). The types come
 * from the server's `AppRouter` (a type-only import: nothing of the server is bundled).
 *
 * Resuming: each event is `tracked` by its id, so tRPC's websocket link re-sends the last id it saw
 * when it reconnects by itself. When the subscription ends with an error instead (the session
 * expired, or this client fell too far behind), we subscribe again with that id ourselves, after
 * logging in again if the session is gone.
 */
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import WebSocket from 'ws';
import type { AppRouter } from '../src/interfaces/trpc/app-router.js';

const baseUrl = (process.env.CRM_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const email = process.env.CRM_EMAIL;
const password = process.env.CRM_PASSWORD;
if (!email || !password) {
  console.error('Set CRM_EMAIL and CRM_PASSWORD (and CRM_URL, default http://127.0.0.1:3000).');
  process.exit(1);
}

let token: string | undefined;

const wsClient = createWSClient({
  url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
  // Node 20 has no global WebSocket.
  WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  // Connect when the first subscription starts (not before we logged in).
  lazy: { enabled: true, closeMs: 0 },
  // Read at every (re)connection, so a fresh login is picked up.
  connectionParams: async () => ({ token: token ?? (await logIn()) }),
  retryDelayMs: (attempt) => Math.min(30_000, 500 * 2 ** attempt),
  onOpen: () => console.log('· connected'),
  onClose: (cause) => {
    console.log(`· disconnected (${cause?.code ?? 'no code'}); reconnecting…`);
    if (cause?.code === 4001) token = undefined; // the server ended our session: log in again
  },
});

const client = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink({ client: wsClient }),
      false: httpBatchLink({
        url: `${baseUrl}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    }),
  ],
});

async function logIn(): Promise<string> {
  const session = await client.auth.login.mutate({ email: email!, password: password! });
  token = session.token;
  console.log(`Logged in as ${session.agent.firstName} ${session.agent.lastName} (${session.agent.role})`);
  return session.token;
}

async function listInbox(): Promise<void> {
  const page = await client.conversations.list.query({ status: ['open', 'assigned', 'waiting'], limit: 20 });
  console.log(
    `Inbox: ${page.items.length} conversation(s)${page.nextCursor ? ' (more on the next page)' : ''}`,
  );
  for (const c of page.items) {
    const who = c.assignedAgent ? `agent ${c.assignedAgent}` : 'unassigned';
    const last = c.lastMessage ? `“${c.lastMessage.content.slice(0, 60)}”` : '(no messages)';
    console.log(`  ${c.id}  ${c.status.padEnd(8)} ${c.priority.padEnd(6)} ${who.padEnd(31)} ${last}`);
  }
}

let lastEventId: string | undefined;

function follow(): void {
  const subscription = client.inbox.events.subscribe(lastEventId ? { lastEventId } : undefined, {
    onStarted: () => console.log(lastEventId ? `· following (resumed after ${lastEventId})` : '· following'),
    onData: ({ id, data }) => {
      lastEventId = id;
      const p = data.payload;
      const about = [
        typeof p.conversationId === 'string' ? `conversation ${p.conversationId}` : '',
        typeof p.ticketId === 'string' ? p.ticketId : '',
        typeof p.agentId === 'string' ? `agent ${p.agentId}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      console.log(`${id}  ${String(data.occurredAt)}  ${data.type.padEnd(28)} ${about}`);
    },
    onError: async (err) => {
      subscription.unsubscribe();
      const code = err instanceof TRPCClientError ? err.data?.code : undefined;
      console.log(`· subscription ended: ${code ?? err.message}; resubscribing from ${lastEventId ?? 'now'}`);
      if (code === 'UNAUTHORIZED') {
        token = undefined;
        await logIn().catch((e: unknown) => console.error('login failed:', e));
      }
      setTimeout(follow, 1_000);
    },
    onComplete: () => {
      console.log('· subscription completed; resubscribing');
      setTimeout(follow, 1_000);
    },
  });
}

await logIn();
await listInbox();
follow();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log('bye');
    void wsClient.close().finally(() => process.exit(0));
  });
}
