import { conversationVisibilityFilter } from '../../domain/authorization/authorize.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import type { ConversationFilter } from '../ports/repositories.js';
import type { Actor } from '../shared/actor.js';
import { authorize } from '../shared/guards.js';

export interface ListConversationsInput {
  actor: Actor;
  filter: Omit<ConversationFilter, 'visibleTo'>;
  page: PageRequest;
}

/** The inbox: conversations by cursor, newest activity first, restricted to what the actor may see. */
export class ListConversations {
  constructor(private readonly ports: Pick<Ports, 'conversations'>) {}

  async execute(input: ListConversationsInput): Promise<Page<ConversationPrimitives>> {
    authorize(input.actor, 'conversation.read');
    const filter: ConversationFilter = { ...input.filter };
    if (input.actor.kind === 'agent') {
      const visibility = conversationVisibilityFilter(input.actor);
      if (!('all' in visibility)) {
        // A plain agent sees their own conversations and the unassigned queue, never another agent's.
        if (filter.assignedAgent && filter.assignedAgent !== visibility.visibleTo) return { items: [] };
        if (!filter.assignedAgent && !filter.unassigned) filter.visibleTo = visibility.visibleTo;
      }
    }
    return this.ports.conversations.list(filter, input.page);
  }
}
