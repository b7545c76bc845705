import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize, requireConversation } from '../shared/guards.js';

export class GetConversation {
  constructor(private readonly ports: Pick<Ports, 'conversations'>) {}

  async execute(input: { actor: Actor; conversationId: Id }): Promise<ConversationPrimitives> {
    const conversation = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'conversation.read', {
      kind: 'conversation',
      assignedAgent: conversation.assignedAgent,
    });
    return conversation;
  }
}
