import { z } from 'zod';
import {
  INTERNAL_NOTE_MAX_LENGTH,
  MAX_TAGS,
  RESOLUTION_NOTES_MAX_LENGTH,
  SATISFACTION_COMMENT_MAX_LENGTH,
  TAG_MAX_LENGTH,
} from '../../../domain/conversation/conversation.js';
import {
  CONVERSATION_CATEGORIES,
  CONVERSATION_STATUSES,
  PRIORITIES,
} from '../../../domain/conversation/conversation.types.js';
import { authedProcedure, permissionProcedure, router } from '../trpc.js';
import { id, pageFields, text, using } from './router-support.js';

const conversationTags = z.array(text(TAG_MAX_LENGTH)).max(MAX_TAGS);

const listInput = z.object({
  status: z.array(z.enum(CONVERSATION_STATUSES)).min(1).max(CONVERSATION_STATUSES.length).optional(),
  priority: z.enum(PRIORITIES).optional(),
  category: z.enum(CONVERSATION_CATEGORIES).optional(),
  assignedAgent: id.optional(),
  /** Only the queue (no agent). */
  unassigned: z.boolean().optional(),
  /** Any of. */
  tags: conversationTags.min(1).optional(),
  customerId: id.optional(),
  ...pageFields,
});

const byId = z.object({ conversationId: id });

const assignInput = z.object({
  conversationId: id,
  /** Who receives it; an agent taking it from the queue passes their own id. */
  agentId: id,
});

const transferInput = z.object({
  conversationId: id,
  toAgentId: id,
  reason: text(500).optional(),
});

const changeStatusInput = z.object({
  conversationId: id,
  status: z.enum(CONVERSATION_STATUSES),
  /** Resolution notes, or why the status changed. */
  notes: text(RESOLUTION_NOTES_MAX_LENGTH).optional(),
});

const updateInput = z
  .object({
    conversationId: id,
    priority: z.enum(PRIORITIES).optional(),
    category: z.enum(CONVERSATION_CATEGORIES).optional(),
    tags: conversationTags.optional(),
    /** The AI assistant on or off for this conversation. */
    isAIEnabled: z.boolean().optional(),
    autoResponses: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== 'conversationId'), {
    message: 'nothing to update',
  });

const addNoteInput = z.object({
  conversationId: id,
  content: text(INTERNAL_NOTE_MAX_LENGTH),
  isVisible: z.boolean().optional(),
});

const satisfactionInput = z.object({
  conversationId: id,
  rating: z.number().int().min(1).max(5),
  comment: text(SATISFACTION_COMMENT_MAX_LENGTH).optional(),
});

const read = permissionProcedure('read:conversations');
const work = permissionProcedure('write:messages');

export const conversationsRouter = router({
  /** The inbox, newest activity first; a plain agent sees their own conversations and the queue. */
  list: read.input(listInput).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    const { cursor, limit, ...filter } = input;
    return uc.conversations.list.execute({ actor, filter, page: { limit, ...(cursor ? { cursor } : {}) } });
  }),

  get: read.input(byId).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.conversations.get.execute({ actor, conversationId: input.conversationId });
  }),

  /**
   * Assigns an unassigned conversation. Needs `assign:conversations`, except an agent taking one
   * from the queue for themselves (decided by the use case, hence no coarse permission here).
   */
  assign: authedProcedure.input(assignInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.conversations.assign.execute({ actor, meta, ...input });
  }),

  transfer: permissionProcedure('assign:conversations')
    .input(transferInput)
    .mutation(({ ctx, input }) => {
      const { uc, actor, meta } = using(ctx);
      return uc.conversations.transfer.execute({ actor, meta, ...input });
    }),

  changeStatus: work.input(changeStatusInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.conversations.changeStatus.execute({ actor, meta, ...input });
  }),

  /** Priority, category, tags (replaces the list), AI on/off. */
  update: work.input(updateInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.conversations.update.execute({ actor, meta, ...input });
  }),

  addNote: work.input(addNoteInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.conversations.addNote.execute({ actor, meta, ...input });
  }),

  /** The customer's 1–5 rating of a resolved or closed conversation. */
  recordSatisfaction: work.input(satisfactionInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.conversations.recordSatisfaction.execute({ actor, meta, ...input });
  }),

  /** Unread count to zero; the customer's latest message is marked read on WhatsApp. */
  markRead: read.input(byId).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.conversations.markRead.execute({ actor, meta, conversationId: input.conversationId });
  }),
});
