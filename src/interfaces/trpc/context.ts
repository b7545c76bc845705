/**
 * Per-request (HTTP) / per-connection (websocket) context.
 *
 * HTTP: `Authorization: Bearer <token>`. Websocket: the client's `connectionParams: { token }`
 * (createWSClient sends them as the first message); the context is created once per connection,
 * and the connection is closed when its session ends (see live-connections.ts).
 * An absent or bad token does not fail here: `agent` stays undefined and `authedProcedure` refuses.
 */
import type { IncomingMessage } from 'node:http';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import type { WebSocket } from 'ws';
import type { Authenticate } from '../../application/auth/authenticate.js';
import type { AuthenticatedAgent } from '../../application/auth/authenticated-agent.js';
import { TOKENS } from '../../infrastructure/tokens.js';

export interface Context {
  /** The caller, when the token is valid. Use `authedProcedure` to require it. */
  agent?: AuthenticatedAgent;
  /** The raw bearer token of this request or connection (logout needs it). Never log it. */
  token?: string;
  /**
   * Why a sent token gave no `agent`: the UnauthorizedError (unknown, expired, revoked, deactivated)
   * or an infrastructure failure. `authedProcedure` throws it, so it goes through the error mapping
   * with this context (and its request id) instead of failing the whole connection here.
   */
  authError?: unknown;
  ip: string;
  userAgent?: string;
  /** Fastify's request id (echoed as `x-request-id`); for a websocket, the upgrade request's id. */
  requestId: string;
  /** Logger bound to the request id. */
  log: Logger;
  container: DependencyContainer;
  transport: 'http' | 'ws';
}

/** Request facts stashed on the raw request by the server's onRequest hook (so websockets get them too). */
export const REQUEST_META = Symbol.for('crm.requestMeta');
export interface RequestMeta {
  id: string;
  ip: string;
  log: Logger;
}
type WithMeta = IncomingMessage & { [REQUEST_META]?: RequestMeta };

export interface ContextDeps {
  container: DependencyContainer;
  logger: Logger;
  /** Called for every websocket connection that authenticated (to close it when its session ends). */
  onAuthenticatedSocket?: (socket: WebSocket, agent: AuthenticatedAgent, token: string) => void;
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

export function createContextFactory(deps: ContextDeps) {
  const authenticate = deps.container.resolve<Authenticate>(TOKENS.Authenticate);

  return async function createContext(opts: CreateFastifyContextOptions): Promise<Context> {
    // The Fastify adapter passes FastifyRequest/Reply over HTTP and IncomingMessage/WebSocket over ws.
    const isHttp = 'raw' in opts.req;
    const raw = (isHttp ? opts.req.raw : (opts.req as unknown as IncomingMessage)) as WithMeta;
    const meta = raw[REQUEST_META];
    const requestId = meta?.id ?? 'unknown';
    const log = meta?.log ?? deps.logger.child({ reqId: requestId });
    const ip = meta?.ip ?? raw.socket?.remoteAddress ?? 'unknown';
    const ua = raw.headers['user-agent'];

    const token = isHttp
      ? bearerToken(raw.headers.authorization)
      : tokenFromParams(opts.info.connectionParams);

    let agent: AuthenticatedAgent | undefined;
    let authError: unknown;
    if (token) {
      try {
        agent = await authenticate.execute(token);
      } catch (err) {
        authError = err;
      }
    }
    if (!isHttp && agent && token) {
      deps.onAuthenticatedSocket?.(opts.res as unknown as WebSocket, agent, token);
    }

    return {
      ...(agent ? { agent } : {}),
      ...(token ? { token } : {}),
      ...(authError === undefined ? {} : { authError }),
      ip,
      ...(typeof ua === 'string' ? { userAgent: ua.slice(0, 512) } : {}),
      requestId,
      log,
      container: deps.container,
      transport: isHttp ? 'http' : 'ws',
    };
  };
}

function tokenFromParams(params: Record<string, string | undefined> | null | undefined): string | undefined {
  const token = params?.token;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}
