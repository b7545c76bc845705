import { retryBackoffMs } from '../../domain/message/message.js';
import type { Attachment, MessagePrimitives } from '../../domain/message/message.types.js';
import { WhatsAppSendError } from '../ports/gateways.js';
import type { Ports } from '../ports/ports.js';
import { publish } from '../shared/events.js';

/** Attempts at fetching and storing one file before its attachment is marked `failed`. */
export const MAX_MEDIA_ATTEMPTS = 6;
export const MEDIA_LEASE_MS = 5 * 60_000;

export interface MediaReport {
  claimed: number;
  stored: number;
  retried: number;
  failed: number;
  failures: { messageId: string; error: string; final: boolean }[];
}

/**
 * The media fetcher: claims inbound messages whose attachments are still only a WhatsApp media id
 * (`storage: 'pending'`), downloads each file through the WhatsApp gateway (from the business
 * number that received it) and stores it through the MediaStore in a folder per conversation, then
 * fills the attachment (url, publicId, filename, mimeType, size, thumbnailUrl, duration) and marks
 * it `stored`. A failure keeps the message as it is: the attachment counts the attempt and is
 * retried with back-off (a new download URL each time); a final WhatsApp refusal (an expired media
 * id) or MAX_MEDIA_ATTEMPTS failures mark it `failed`. When a file is stored or given up,
 * `message.media_updated` is published (the inbox shows the picture without a reload).
 *
 * Without a MediaStore (no CLOUDINARY_URL) this use case is not run: attachments keep their media
 * id and `storage: 'pending'`, and are fetched once storage is configured (within WhatsApp's 7 days).
 */
export class StoreInboundMedia {
  constructor(
    private readonly ports: Pick<Ports, 'messages' | 'conversations' | 'whatsapp' | 'events' | 'clock'> &
      Required<Pick<Ports, 'media'>>,
  ) {}

  async execute(input: { limit?: number } = {}): Promise<MediaReport> {
    const now = this.ports.clock.now();
    const claimed = await this.ports.messages.claimPendingMedia(
      now,
      new Date(now.getTime() + MEDIA_LEASE_MS),
      input.limit ?? 10,
    );
    const report: MediaReport = { claimed: claimed.length, stored: 0, retried: 0, failed: 0, failures: [] };
    for (const message of claimed) await this.#storeAll(message, report);
    return report;
  }

  async #storeAll(message: MessagePrimitives, report: MediaReport): Promise<void> {
    const conversation = await this.ports.conversations.findById(message.conversationId);
    const phoneNumberId = conversation?.whatsappData?.phoneNumberId;
    const attachments: Attachment[] = [];
    for (const attachment of message.attachments) {
      if (attachment.storage !== 'pending') {
        attachments.push(attachment);
        continue;
      }
      const next = await this.#storeOne(message, attachment, phoneNumberId);
      attachments.push(next);
      if (next.storage === 'stored') report.stored += 1;
      else {
        const final = next.storage === 'failed';
        if (final) report.failed += 1;
        else report.retried += 1;
        report.failures.push({ messageId: message.id, error: next.error ?? 'unknown error', final });
      }
    }
    const attempts = Math.max(
      0,
      ...attachments.filter((a) => a.storage === 'pending').map((a) => a.attempts ?? 0),
    );
    const stillPending = attachments.some((a) => a.storage === 'pending');
    const now = this.ports.clock.now();
    await this.ports.messages.patch(message.id, {
      attachments,
      nextAttemptAt: stillPending
        ? new Date(now.getTime() + retryBackoffMs(attempts, 30_000, 60 * 60_000))
        : undefined,
      leaseUntil: undefined,
    });
    const settled = attachments.filter(
      (a, i) => a.storage !== 'pending' && message.attachments[i]?.storage === 'pending',
    );
    if (settled.length > 0) {
      await publish(this.ports, [
        {
          type: 'message.media_updated',
          occurredAt: now,
          payload: {
            messageId: message.id,
            conversationId: message.conversationId,
            customerId: message.customerId,
            assignedAgent: conversation?.assignedAgent,
            stored: settled.filter((a) => a.storage === 'stored').length,
            failed: settled.filter((a) => a.storage === 'failed').length,
          },
        },
      ]);
    }
  }

  async #storeOne(
    message: MessagePrimitives,
    attachment: Attachment,
    phoneNumberId?: string,
  ): Promise<Attachment> {
    const attempts = (attachment.attempts ?? 0) + 1;
    if (!attachment.whatsappMediaId) {
      return { ...attachment, storage: 'failed', attempts, error: 'no WhatsApp media id to fetch' };
    }
    try {
      const file = await this.ports.whatsapp.downloadMedia({
        mediaId: attachment.whatsappMediaId,
        ...(phoneNumberId ? { phoneNumberId } : {}),
      });
      const filename = attachment.filename ?? file.filename;
      const stored = await this.ports.media.store({
        data: file.data,
        mimeType: attachment.mimeType ?? file.mimeType,
        folder: `conversations/${message.conversationId}`,
        ...(filename ? { filename } : {}),
      });
      const { error: _error, attempts: _attempts, ...rest } = attachment;
      return {
        ...rest,
        url: stored.url,
        publicId: stored.publicId,
        mimeType: attachment.mimeType ?? stored.mimeType,
        size: stored.size,
        ...(filename ? { filename } : {}),
        ...(stored.thumbnailUrl && (attachment.type === 'image' || attachment.type === 'video')
          ? { thumbnailUrl: stored.thumbnailUrl }
          : {}),
        ...(stored.duration !== undefined && (attachment.type === 'audio' || attachment.type === 'video')
          ? { duration: stored.duration }
          : {}),
        storage: 'stored',
      };
    } catch (error) {
      const final =
        (error instanceof WhatsAppSendError && !error.retryable) || attempts >= MAX_MEDIA_ATTEMPTS;
      const reason = error instanceof Error ? error.message : String(error);
      return { ...attachment, storage: final ? 'failed' : 'pending', attempts, error: reason.slice(0, 500) };
    }
  }
}
