/**
 * The typed client of the API. Only the `AppRouter` TYPE comes from the server (a type-only import:
 * no server code is bundled). Queries and mutations go over HTTP (batched), the live inbox over the
 * websocket; the session token goes in the Authorization header and in the websocket's
 * connectionParams.
 */
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../trpc/app-router';

export type { AppRouter };
export type Outputs = inferRouterOutputs<AppRouter>;
export type Inputs = inferRouterInputs<AppRouter>;

export type Conversation = Outputs['conversations']['get'];
export type Message = Outputs['messages']['list']['items'][number];
export type Ticket = Outputs['tickets']['get'];
export type CustomerDetails = Outputs['customers']['get'];
export type Customer = CustomerDetails['customer'];
export type Agent = Outputs['agents']['get'];
export type Me = Outputs['auth']['me'];
/** One tracked event of the live inbox: `{ id, data: { type, payload, occurredAt } }`. */
export type InboxEvent = Outputs['inbox']['events'] extends AsyncIterable<infer E> ? E : never;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export interface ApiConnection {
  client: TRPCClient<AppRouter>;
  close(): void;
}

export interface ConnectionCallbacks {
  onOpen?: () => void;
  onClose?: () => void;
}

/** One client per session: `token` undefined gives an anonymous client (login only). */
export function connect(token: string | undefined, callbacks: ConnectionCallbacks = {}): ApiConnection {
  const http = httpBatchLink({
    url: '/trpc',
    headers: (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {}),
  });
  if (!token) {
    return { client: createTRPCClient<AppRouter>({ links: [http] }), close() {} };
  }
  const ws = createWSClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/trpc`,
    connectionParams: () => ({ token }),
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 10_000),
    keepAlive: { enabled: true, intervalMs: 20_000, pongTimeoutMs: 5_000 },
    ...(callbacks.onOpen ? { onOpen: callbacks.onOpen } : {}),
    ...(callbacks.onClose ? { onClose: () => callbacks.onClose?.() } : {}),
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({ condition: (op) => op.type === 'subscription', true: wsLink({ client: ws }), false: http }),
    ],
  });
  return {
    client,
    close() {
      void ws.close();
    },
  };
}

/** The server's stable domain code (`MESSAGE.WINDOW_CLOSED`) of a failed call, if any. */
export function domainCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) {
    const data = error.data as { domainCode?: unknown } | undefined;
    return typeof data?.domainCode === 'string' ? data.domainCode : undefined;
  }
  return undefined;
}

export function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof TRPCClientError &&
    (error.data as { code?: unknown } | undefined)?.code === 'UNAUTHORIZED'
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { zodIssues?: { path: (string | number)[]; message: string }[] } | undefined;
    const issues = data?.zodIssues;
    if (issues && issues.length > 0) {
      return issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
