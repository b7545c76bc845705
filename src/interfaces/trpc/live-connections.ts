/**
 * Open websocket connections by agent, so that a connection never outlives its session:
 * - when `agent.sessions_revoked` arrives (logout, password change, deactivation — from this node
 *   or another), each of the agent's connections re-checks its token against the session store
 *   and is closed if the session is gone;
 * - each connection is closed when its session expires.
 * Close code 4001 tells the client to log in again (tRPC's client reconnects with fresh
 * `connectionParams`).
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Authenticate } from '../../application/auth/authenticate.js';
import type { AuthenticatedAgent } from '../../application/auth/authenticated-agent.js';
import { SESSIONS_REVOKED } from '../../application/auth/session-revocations.js';
import type { EventBus, PublishedEvent } from '../../application/ports/gateways.js';

export const CLOSE_SESSION_ENDED = 4001;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Connection {
  socket: WebSocket;
  token: string;
  timer: NodeJS.Timeout;
}

export class LiveConnections {
  readonly #byAgent = new Map<string, Set<Connection>>();
  readonly #unsubscribe: () => void;

  constructor(
    events: EventBus,
    private readonly authenticate: Authenticate,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#unsubscribe = events.subscribe((event) => this.#onEvent(event));
  }

  add(socket: WebSocket, agent: AuthenticatedAgent, token: string): void {
    if (socket.readyState !== socket.OPEN) return; // closed while the context was being created
    const delay = Math.max(0, agent.session.expiresAt.getTime() - this.now().getTime());
    const connection: Connection = {
      socket,
      token,
      timer: setTimeout(
        () => this.#close(agent.id, connection, 'session expired'),
        Math.min(delay, MAX_TIMER_MS),
      ),
    };
    connection.timer.unref();
    let set = this.#byAgent.get(agent.id);
    if (!set) {
      set = new Set();
      this.#byAgent.set(agent.id, set);
    }
    set.add(connection);
    socket.once('close', () => this.#forget(agent.id, connection));
  }

  /** Number of tracked connections (tests, metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.#byAgent.values()) n += set.size;
    return n;
  }

  /** Stops listening and closes every tracked connection (server shutdown). */
  closeAll(reason = 'server shutting down'): void {
    this.#unsubscribe();
    for (const [agentId, set] of this.#byAgent) {
      for (const connection of set) this.#close(agentId, connection, reason, 1001);
    }
  }

  #onEvent(event: PublishedEvent): void {
    if (event.type !== SESSIONS_REVOKED) return;
    const agentId = event.payload.agentId;
    if (typeof agentId !== 'string') return;
    const set = this.#byAgent.get(agentId);
    if (!set) return;
    for (const connection of [...set]) {
      this.authenticate.execute(connection.token).then(
        () => {}, // still valid (another session of the same agent was revoked)
        () => this.#close(agentId, connection, 'session ended'),
      );
    }
  }

  #close(agentId: string, connection: Connection, reason: string, code = CLOSE_SESSION_ENDED): void {
    this.#forget(agentId, connection);
    this.log.debug({ agentId, reason }, 'closing websocket');
    try {
      connection.socket.close(code, reason);
    } catch (err) {
      this.log.warn({ err, agentId }, 'could not close websocket');
      connection.socket.terminate();
    }
  }

  #forget(agentId: string, connection: Connection): void {
    clearTimeout(connection.timer);
    const set = this.#byAgent.get(agentId);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.#byAgent.delete(agentId);
  }
}
