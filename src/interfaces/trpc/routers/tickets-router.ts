import { z } from 'zod';
import { PRIORITIES } from '../../../domain/conversation/conversation.types.js';
import {
  RESOLUTION_CATEGORIES,
  SLA_LEVELS,
  SUBJECT_MAX_LENGTH,
  TICKET_CATEGORIES,
  TICKET_STATUSES,
} from '../../../domain/ticket/ticket.types.js';
import { permissionProcedure, router } from '../trpc.js';
import { httpUrl, id, pageFields, text, using } from './router-support.js';

const DESCRIPTION_MAX = 20_000;
const NOTE_MAX = 10_000;
const REASON_MAX = 1_000;

const ticketTags = z.array(text(50)).max(50);
const labels = z
  .array(z.object({ name: text(50), color: z.string().regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/) }))
  .max(20);
const attachment = z.object({
  type: z.enum(['image', 'document', 'audio', 'video']),
  url: httpUrl,
  filename: text(255).optional(),
  size: z.number().int().min(0).max(1_000_000_000).optional(),
});

const byTicket = z.object({
  /** The ticket's id (24-hex) or its number (`TICKET-2026-000042`). */
  ticketId: z.union([
    id,
    z
      .string()
      .trim()
      .regex(/^TICKET-\d{4}-\d{6,}$/i),
  ]),
});

const createInput = z
  .object({
    conversationId: id.optional(),
    customerId: id.optional(),
    subject: text(SUBJECT_MAX_LENGTH),
    description: text(DESCRIPTION_MAX),
    category: z.enum(TICKET_CATEGORIES),
    subcategory: text(100).optional(),
    priority: z.enum(PRIORITIES).optional(),
    slaLevel: z.enum(SLA_LEVELS).optional(),
    assignedAgent: id.optional(),
    tags: ticketTags.optional(),
    labels: labels.optional(),
    location: z
      .object({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        address: text(500).optional(),
        formattedAddress: text(500).optional(),
        isServiceLocation: z.boolean().optional(),
      })
      .optional(),
    attachments: z.array(attachment).max(20).optional(),
    externalId: text(200).optional(),
    externalUrl: httpUrl.optional(),
  })
  .refine((v) => v.conversationId || v.customerId, {
    message: 'give conversationId or customerId',
    path: ['customerId'],
  });

const listInput = z.object({
  status: z.array(z.enum(TICKET_STATUSES)).min(1).max(TICKET_STATUSES.length).optional(),
  priority: z.enum(PRIORITIES).optional(),
  category: z.enum(TICKET_CATEGORIES).optional(),
  assignedAgent: id.optional(),
  customerId: id.optional(),
  conversationId: id.optional(),
  /** Any of. */
  tags: ticketTags.min(1).optional(),
  escalated: z.boolean().optional(),
  ...pageFields,
});

const updateInput = z.object({
  ticketId: id,
  changes: z
    .object({
      subject: text(SUBJECT_MAX_LENGTH).optional(),
      description: text(DESCRIPTION_MAX).optional(),
      category: z.enum(TICKET_CATEGORIES).optional(),
      /** `null` clears it. */
      subcategory: text(100).nullable().optional(),
      priority: z.enum(PRIORITIES).optional(),
      tags: ticketTags.optional(),
      labels: labels.optional(),
    })
    .refine((c) => Object.keys(c).length > 0, { message: 'nothing to update' }),
});

const changeStatusInput = z.object({
  ticketId: id,
  /** Any status but `resolved` (use `resolve`). */
  status: z.enum(TICKET_STATUSES),
  reason: text(REASON_MAX).optional(),
});

const addNoteInput = z.object({
  ticketId: id,
  content: text(NOTE_MAX),
  /** Default true: only agents see it. */
  isInternal: z.boolean().optional(),
  /** URLs of files already uploaded. */
  attachments: z.array(httpUrl).max(20).optional(),
});

const escalateInput = z.object({
  ticketId: id,
  reason: text(REASON_MAX),
  /** Default: the agent's supervisor, else a supervisor/admin on duty. */
  to: id.optional(),
});

const resolveInput = z.object({
  ticketId: id,
  summary: text(DESCRIPTION_MAX),
  steps: z.array(text(1_000)).max(50).optional(),
  resolutionCategory: z.enum(RESOLUTION_CATEGORIES),
});

const relateInput = z.object({ ticketId: id, otherTicketId: id });

const feedbackInput = z.object({
  ticketId: id,
  rating: z.number().int().min(1).max(5),
  comment: text(2_000).optional(),
  followUpNeeded: z.boolean().optional(),
});

const assignInput = z.object({ ticketId: id, agentId: id });

const tickets = permissionProcedure('manage:tickets');

export const ticketsRouter = router({
  create: tickets.input(createInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.create.execute({ actor, meta, ...input });
  }),

  list: tickets.input(listInput).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.tickets.list.execute({ actor, ...input });
  }),

  get: tickets.input(byTicket).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.tickets.get.execute({ actor, ticketId: input.ticketId });
  }),

  /** Subject, description, category, subcategory, priority, tags, labels. */
  update: tickets.input(updateInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.update.execute({ actor, meta, ...input });
  }),

  changeStatus: tickets.input(changeStatusInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.changeStatus.execute({ actor, meta, ...input });
  }),

  addNote: tickets.input(addNoteInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.addNote.execute({ actor, meta, ...input });
  }),

  escalate: tickets.input(escalateInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.escalate.execute({ actor, meta, ...input });
  }),

  resolve: tickets.input(resolveInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.resolve.execute({ actor, meta, ...input });
  }),

  /** A two-way "related" link between two tickets. */
  relate: tickets.input(relateInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.relate.execute({ actor, meta, ...input, relation: 'related' });
  }),

  /** `otherTicketId` becomes the parent of `ticketId`. */
  setParent: tickets.input(relateInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.relate.execute({ actor, meta, ...input, relation: 'parent' });
  }),

  /** The customer's 1–5 rating of the ticket's handling. */
  feedback: tickets.input(feedbackInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.feedback.execute({ actor, meta, ...input });
  }),

  assign: tickets.input(assignInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.tickets.assign.execute({ actor, meta, ...input });
  }),
});
