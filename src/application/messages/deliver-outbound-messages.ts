import { Message, retryBackoffMs } from '../../domain/message/message.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import { mutateConversation } from '../conversations/conversation-support.js';
import { type OutboundContent, WhatsAppSendError } from '../ports/gateways.js';
import type { Ports } from '../ports/ports.js';
import { publish } from '../shared/events.js';
import { statusFields } from './apply-message-status.js';

export const MAX_SEND_ATTEMPTS = 8;
export const SEND_LEASE_MS = 60_000;
/** Longest pause a Retry-After may impose on one message. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

export interface DeliveryReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** When some were retried: milliseconds until the first of them falls due again. */
  retryInMs?: number;
}

/** The WhatsApp content of a stored outbound message. */
export function toOutboundContent(m: MessagePrimitives): OutboundContent {
  switch (m.type) {
    case 'template':
      return {
        type: 'template',
        name: m.template!.name,
        language: m.template!.language,
        parameters: m.template!.parameters ?? [],
      };
    case 'image':
    case 'document':
    case 'audio':
    case 'video': {
      const attachment = m.attachments[0];
      if (!attachment?.url)
        throw new WhatsAppSendError('The attachment has no URL to send', false, undefined, 'NO_MEDIA_URL');
      const caption = m.content.startsWith('[') ? undefined : m.content;
      return {
        type: m.type,
        link: attachment.url,
        ...(caption && m.type !== 'audio' ? { caption } : {}),
        ...(attachment.filename && m.type === 'document' ? { filename: attachment.filename } : {}),
      };
    }
    case 'location':
      return { type: 'location', ...m.location! };
    case 'interactive': {
      const i = m.interactive!;
      return i.type === 'list'
        ? {
            type: 'interactive',
            kind: 'list',
            body: i.body ?? m.content,
            buttonText: 'Options',
            sections: [
              {
                rows: (i.listItems ?? []).map((r) => ({
                  id: r.id,
                  title: r.title,
                  ...(r.description ? { description: r.description } : {}),
                })),
              },
            ],
          }
        : {
            type: 'interactive',
            kind: 'button',
            body: i.body ?? m.content,
            buttons: (i.buttons ?? []).map((b) => ({ id: b.id, title: b.title })),
          };
    }
    default:
      return { type: 'text', body: m.content };
  }
}

/**
 * The outbox sender: claims due pending messages with a lease (so several nodes can run it
 * without sending anything twice), sends each through the WhatsApp gateway from the business
 * number of its conversation, and records the outcome: `sent` with the WhatsApp id; a retry
 * with exponential back-off on transient errors (429, 5xx, throughput, pair rate); `failed`
 * with the WhatsApp error code and title on permanent errors or after MAX_SEND_ATTEMPTS.
 */
export class DeliverOutboundMessages {
  constructor(
    private readonly ports: Pick<
      Ports,
      'messages' | 'conversations' | 'customers' | 'whatsapp' | 'events' | 'clock'
    >,
  ) {}

  async execute(input: { limit?: number } = {}): Promise<DeliveryReport> {
    const now = this.ports.clock.now();
    const claimed = await this.ports.messages.claimOutbound(
      now,
      new Date(now.getTime() + SEND_LEASE_MS),
      input.limit ?? 20,
    );
    const report: DeliveryReport = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
    let firstRetry: number | undefined;
    for (const record of claimed) {
      const outcome = await this.#deliver(record);
      if (outcome instanceof Date) {
        report.retried += 1;
        firstRetry = Math.min(firstRetry ?? outcome.getTime(), outcome.getTime());
      } else {
        report[outcome] += 1;
      }
    }
    if (firstRetry !== undefined)
      report.retryInMs = Math.max(0, firstRetry - this.ports.clock.now().getTime());
    return report;
  }

  /** 'sent', 'failed', or the time a retry falls due. */
  async #deliver(record: MessagePrimitives): Promise<'sent' | 'failed' | Date> {
    const conversation = await this.ports.conversations.findById(record.conversationId);
    const customer = await this.ports.customers.findById(record.customerId);
    const message = Message.fromPrimitives(record);
    const audience = { assignedAgent: conversation?.assignedAgent };
    try {
      if (!customer || customer.erasedAt)
        throw new WhatsAppSendError('The customer no longer exists', false, undefined, 'NO_RECIPIENT');
      const replyTo = record.replyTo
        ? (await this.ports.messages.findById(record.replyTo))?.whatsappMessageId
        : undefined;
      const result = await this.ports.whatsapp.send({
        phoneNumberId: conversation?.whatsappData?.phoneNumberId,
        to: customer.phoneNumber,
        content: toOutboundContent(record),
        ...(replyTo ? { replyTo } : {}),
      });
      message.markSent(result.whatsappMessageId, this.ports.clock.now(), audience);
      await this.#write(message, ['pending'], 'sent');
      return 'sent';
    } catch (error) {
      const sendError =
        error instanceof WhatsAppSendError
          ? error
          : new WhatsAppSendError(String((error as Error)?.message ?? error), true);
      const attempt = (record.sendAttempts ?? 0) + 1;
      const now = this.ports.clock.now();
      if (sendError.retryable && attempt < MAX_SEND_ATTEMPTS) {
        // Exponential back-off (1 s, 2 s, 4 s ... capped at 5 min), never sooner than a Retry-After
        // WhatsApp gave, but a bogus Retry-After may not park the message for more than an hour.
        const retryAfter = Math.min(sendError.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
        message.scheduleRetry(attempt, now, Math.max(retryAfter, retryBackoffMs(attempt, 1_000, 5 * 60_000)));
        const p = message.toPrimitives();
        await this.ports.messages.patch(record.id, {
          sendAttempts: p.sendAttempts,
          nextAttemptAt: p.nextAttemptAt,
          leaseUntil: now,
        });
        return p.nextAttemptAt ?? now;
      }
      message.markFailed(
        { code: sendError.code ?? 0, title: sendError.title ?? sendError.message },
        now,
        audience,
      );
      await this.#write(message, ['pending'], 'failed', { sendAttempts: attempt });
      if (conversation && conversation.status !== 'closed') {
        await mutateConversation(this.ports, conversation.id, (c) => c.recordFailedDelivery(now));
      }
      return 'failed';
    } finally {
      await publish(this.ports, message.pullEvents(), {
        assignedAgent: conversation?.assignedAgent,
        conversationId: record.conversationId,
        customerId: record.customerId,
      });
    }
  }

  async #write(
    message: Message,
    from: MessagePrimitives['status'][],
    to: MessagePrimitives['status'],
    extra: Partial<MessagePrimitives> = {},
  ) {
    const p = message.toPrimitives();
    await this.ports.messages.advanceStatus(p.id, from, to, statusFields(p));
    if (Object.keys(extra).length > 0) await this.ports.messages.patch(p.id, extra);
  }
}
