import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize, requireConversation } from '../shared/guards.js';

/** A conversation's history, newest first, by cursor. */
export class ListMessages {
  constructor(private readonly ports: Pick<Ports, 'conversations' | 'messages'>) {}

  async execute(input: { actor: Actor; conversationId: Id; page: PageRequest }): Promise<Page<MessagePrimitives>> {
    const conversation = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'message.read', { kind: 'conversation', assignedAgent: conversation.assignedAgent });
    return this.ports.messages.listByConversation(conversation.id, input.page);
  }
}
