import { BusinessRuleError, ValidationError } from '../shared/errors.js';
import { AggregateRoot } from '../shared/events.js';
import { assertId, assertMaxLength, assertNonEmpty } from '../shared/guards.js';
import type { Id } from '../shared/ids.js';
import type { ConversationThreadPrimitives } from './conversation-thread.types.js';

export const THREAD_INACTIVE = 'THREAD.INACTIVE';

export interface ThreadRotationPolicy {
  /** Rotate once the thread holds this many interactions. */
  maxMessages: number;
  /** Rotate when the last activity is older than this. */
  idleMinutes: number;
}

/**
 * The AI assistant's server-side conversation (OpenAI conversation id in `threadId`) for one CRM
 * conversation. Rotated (a fresh server-side conversation) when it grows too long or goes idle,
 * so the assistant's context stays small and current.
 */
export class ConversationThread extends AggregateRoot {
  #p: ConversationThreadPrimitives;

  private constructor(p: ConversationThreadPrimitives) {
    super();
    this.#p = p;
  }

  static start(
    input: { conversationId: Id; customerId: Id; userId: string; threadId: string },
    ctx: { id: Id; now: Date },
  ): ConversationThread {
    return new ConversationThread({
      id: assertId('id', ctx.id),
      conversationId: assertId('conversationId', input.conversationId),
      customerId: assertId('customerId', input.customerId),
      userId: assertNonEmpty('userId', input.userId).trim(),
      threadId: threadId(input.threadId),
      messageCount: 0,
      isActive: true,
      createdAt: new Date(ctx.now),
      updatedAt: new Date(ctx.now),
    });
  }

  static fromPrimitives(p: ConversationThreadPrimitives): ConversationThread {
    assertId('id', p.id);
    assertId('conversationId', p.conversationId);
    assertId('customerId', p.customerId);
    return new ConversationThread(structuredClone(p));
  }

  toPrimitives(): ConversationThreadPrimitives {
    return structuredClone(this.#p);
  }

  get id(): Id {
    return this.#p.id;
  }
  get conversationId(): Id {
    return this.#p.conversationId;
  }
  get threadId(): string {
    return this.#p.threadId;
  }
  get messageCount(): number {
    return this.#p.messageCount;
  }
  get isActive(): boolean {
    return this.#p.isActive;
  }
  get lastInteraction(): Date | undefined {
    return this.#p.lastInteraction && new Date(this.#p.lastInteraction);
  }

  recordInteraction(now: Date): void {
    this.#assertActive();
    this.#p.messageCount += 1;
    this.#p.lastInteraction = new Date(now);
    this.#p.updatedAt = new Date(now);
  }

  /**
   * True when the thread reached `maxMessages` interactions or has been idle for longer than
   * `idleMinutes` since its last activity (last interaction, last rotation or creation).
   */
  needsRotation(now: Date, policy: ThreadRotationPolicy): boolean {
    if (this.#p.messageCount >= policy.maxMessages) return true;
    const lastActivity = Math.max(
      this.#p.createdAt.getTime(),
      this.#p.lastInteraction?.getTime() ?? Number.NEGATIVE_INFINITY,
      this.#p.lastCleanup?.getTime() ?? Number.NEGATIVE_INFINITY,
    );
    return now.getTime() - lastActivity > policy.idleMinutes * 60_000;
  }

  /** Replaces the server-side conversation: new `threadId`, count back to 0, `lastCleanup` = now. */
  rotate(newThreadId: string, now: Date): void {
    this.#assertActive();
    const next = threadId(newThreadId);
    if (next === this.#p.threadId)
      throw new ValidationError('threadId', 'must differ from the current thread');
    this.#p.threadId = next;
    this.#p.messageCount = 0;
    this.#p.lastCleanup = new Date(now);
    this.#p.updatedAt = new Date(now);
  }

  /** Idempotent. */
  deactivate(now: Date): void {
    if (!this.#p.isActive) return;
    this.#p.isActive = false;
    this.#p.updatedAt = new Date(now);
  }

  #assertActive(): void {
    if (!this.#p.isActive) {
      throw new BusinessRuleError(THREAD_INACTIVE, 'This AI thread is no longer active', {
        threadId: this.#p.id,
      });
    }
  }
}

function threadId(value: string): string {
  const id = assertNonEmpty('threadId', value).trim();
  assertMaxLength('threadId', id, 200);
  return id;
}
