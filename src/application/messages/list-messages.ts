import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { assertId } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize } from '../shared/guards.js';

/** Cursors of the archived part of a history carry this prefix. */
const ARCHIVE_CURSOR = 'a:';

/**
 * A conversation's history, newest first, by cursor. Messages moved to the archive are older than
 * every live one of the same conversation, so the history continues into the archive (read-only)
 * when the live messages run out; an archived conversation is read from the archive alone.
 */
export class ListMessages {
  constructor(private readonly ports: Pick<Ports, 'conversations' | 'messages' | 'archive'>) {}

  async execute(input: {
    actor: Actor;
    conversationId: Id;
    page: PageRequest;
  }): Promise<Page<MessagePrimitives>> {
    const id = assertId('conversationId', input.conversationId);
    const live = await this.ports.conversations.findById(id);
    const conversation: ConversationPrimitives | null =
      live ?? (await this.ports.archive.findArchivedConversation(id));
    if (!conversation) throw new NotFoundError('conversation', id);
    authorize(input.actor, 'message.read', {
      kind: 'conversation',
      assignedAgent: conversation.assignedAgent,
    });

    const cursor = input.page.cursor;
    if (cursor?.startsWith(ARCHIVE_CURSOR) || !live) {
      const archiveCursor = cursor?.startsWith(ARCHIVE_CURSOR)
        ? cursor.slice(ARCHIVE_CURSOR.length)
        : undefined;
      const archived = await this.ports.archive.listArchivedMessages(id, {
        limit: input.page.limit,
        ...(archiveCursor ? { cursor: archiveCursor } : {}),
      });
      return archived.nextCursor
        ? { ...archived, nextCursor: ARCHIVE_CURSOR + archived.nextCursor }
        : archived;
    }
    const page = await this.ports.messages.listByConversation(id, input.page);
    if (page.nextCursor) return page;
    // The live history ended: say there is more when the archive holds older messages.
    const older = await this.ports.archive.listArchivedMessages(id, { limit: 1 });
    return older.items.length > 0 || older.nextCursor ? { ...page, nextCursor: ARCHIVE_CURSOR } : page;
  }
}
