import { z } from 'zod';
import {
  BUTTON_TITLE_MAX_LENGTH,
  CAPTION_MAX_LENGTH,
  INTERACTIVE_BODY_MAX_LENGTH,
  LIST_ROW_DESCRIPTION_MAX_LENGTH,
  LIST_ROW_TITLE_MAX_LENGTH,
  MAX_BUTTONS,
  MAX_LIST_ROWS,
  TEXT_MAX_LENGTH,
} from '../../../domain/message/message.js';
import { permissionProcedure, router } from '../trpc.js';
import { httpUrl, id, pageFields, text, using } from './router-support.js';

const IDEMPOTENCY_KEY_MAX_LENGTH = 100;

const caption = text(CAPTION_MAX_LENGTH).optional();

const textMessage = z.object({
  type: z.literal('text'),
  content: text(TEXT_MAX_LENGTH),
});

const templateMessage = z.object({
  type: z.literal('template'),
  template: z.object({
    name: text(512),
    language: text(20),
    parameters: z.array(z.string().trim().max(1024)).max(50).optional(),
  }),
});

/** Media by link: WhatsApp fetches the URL itself. The attachment type is the message type. */
const mediaMessage = z
  .object({
    type: z.enum(['image', 'document', 'audio', 'video']),
    attachments: z
      .array(
        z.object({
          url: httpUrl,
          filename: text(255).optional(),
          mimeType: text(100).optional(),
        }),
      )
      .min(1)
      .max(1),
    content: caption,
  })
  .transform((m) => ({
    type: m.type,
    content: m.content ?? '',
    attachments: m.attachments.map((a) => ({ ...a, type: m.type })),
  }));

const locationMessage = z.object({
  type: z.literal('location'),
  location: z.object({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: text(1000).optional(),
    address: text(1000).optional(),
  }),
});

const interactiveMessage = z.object({
  type: z.literal('interactive'),
  interactive: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('button'),
      body: text(INTERACTIVE_BODY_MAX_LENGTH),
      buttons: z
        .array(z.object({ id: text(256), title: text(BUTTON_TITLE_MAX_LENGTH) }))
        .min(1)
        .max(MAX_BUTTONS),
    }),
    z.object({
      type: z.literal('list'),
      body: text(INTERACTIVE_BODY_MAX_LENGTH),
      listItems: z
        .array(
          z.object({
            id: text(200),
            title: text(LIST_ROW_TITLE_MAX_LENGTH),
            description: text(LIST_ROW_DESCRIPTION_MAX_LENGTH).optional(),
          }),
        )
        .min(1)
        .max(MAX_LIST_ROWS),
    }),
  ]),
});

/** What an agent can send; each shape is completed with `content` (a summary is made when empty). */
const outboundMessage = z.union([
  textMessage,
  templateMessage.transform((m) => ({ ...m, content: '' })),
  mediaMessage,
  locationMessage.transform((m) => ({ ...m, content: '' })),
  interactiveMessage.transform((m) => ({ ...m, content: m.interactive.body })),
]);

const sendInput = z.object({
  conversationId: id,
  message: outboundMessage,
  /** A retried send with the same key returns the first message instead of sending twice. */
  idempotencyKey: text(IDEMPOTENCY_KEY_MAX_LENGTH).optional(),
  /** The message (ours) this one answers. */
  replyTo: id.optional(),
});

const listInput = z.object({ conversationId: id, ...pageFields });

export const messagesRouter = router({
  /** A conversation's history, newest first, by cursor. */
  list: permissionProcedure('read:conversations')
    .input(listInput)
    .query(({ ctx, input }) => {
      const { uc, actor } = using(ctx);
      const { conversationId, cursor, limit } = input;
      return uc.messages.list.execute({
        actor,
        conversationId,
        page: { limit, ...(cursor ? { cursor } : {}) },
      });
    }),

  /**
   * Queues a message to the customer (the outbox sender delivers it). Free-form messages only
   * within 24 h of the customer's last message; a template otherwise (MESSAGE.WINDOW_CLOSED).
   */
  send: permissionProcedure('write:messages')
    .input(sendInput)
    .mutation(({ ctx, input }) => {
      const { uc, actor, meta } = using(ctx);
      return uc.messages.send.execute({ actor, meta, ...input });
    }),
});
