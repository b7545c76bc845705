import type { SessionRecord, SessionRepository } from '../../application/ports/repositories.js';
import { DuplicateError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy } from './memory-support.js';

export class InMemorySessionRepository implements SessionRepository {
  readonly #sessions = new Map<string, SessionRecord>();

  async insert(session: SessionRecord): Promise<void> {
    checkId(session.agentId);
    if (this.#sessions.has(session.tokenHash)) throw new DuplicateError('session', 'tokenHash');
    this.#sessions.set(session.tokenHash, copy(session));
  }

  async findByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const session = this.#sessions.get(tokenHash);
    return session ? copy(session) : null;
  }

  async delete(tokenHash: string): Promise<void> {
    this.#sessions.delete(tokenHash);
  }

  async deleteByAgent(agentId: Id): Promise<number> {
    checkId(agentId);
    let count = 0;
    for (const [tokenHash, session] of this.#sessions) {
      if (session.agentId === agentId) {
        this.#sessions.delete(tokenHash);
        count += 1;
      }
    }
    return count;
  }
}
