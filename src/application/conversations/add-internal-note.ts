import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireConversation } from '../shared/guards.js';
import { retryOnConflict } from './conversation-support.js';

export interface AddInternalNoteInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
  content: string;
  isVisible?: boolean;
  /** For notes written by the system (AI hand-off summary): the agent the note is filed under. */
  asAgent?: Id;
}

/** An internal note on a conversation (not sent to the customer). */
export class AddInternalNote {
  constructor(
    private readonly ports: Pick<Ports, 'conversations' | 'activity' | 'events' | 'ids' | 'clock'>,
  ) {}

  /** Retried on a fresh read when the conversation changed meanwhile (retryOnConflict). */
  execute(input: AddInternalNoteInput): Promise<ConversationPrimitives> {
    return retryOnConflict(() => this.#attempt(input));
  }

  async #attempt(input: AddInternalNoteInput): Promise<ConversationPrimitives> {
    const before = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'conversation.note', {
      kind: 'conversation',
      assignedAgent: before.assignedAgent,
    });
    const author = input.actor.kind === 'agent' ? input.actor.id : input.asAgent;
    if (!author) throw new ForbiddenError('A note needs an author');
    const conversation = Conversation.fromPrimitives(before);
    const note = conversation.addInternalNote(
      {
        id: this.ports.ids.next(),
        agent: author,
        content: input.content,
        isVisible: input.isVisible ?? false,
      },
      this.ports.clock.now(),
    );
    const saved = await this.ports.conversations.update(conversation.toPrimitives());
    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'conversation',
      entityId: saved.id,
      action: 'commented',
      after: { note },
    });
    await publish(this.ports, conversation.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      customerId: saved.customerId,
    });
    return saved;
  }
}
