import { randomBytes } from 'node:crypto';
import {
  type OutboundContent,
  type SendResult,
  type WhatsAppGateway,
  WhatsAppSendError,
} from '../../application/ports/gateways.js';
import { buildMessageBody, buildReadReceiptBody, type CloudApiMessageBody } from './outbound-message.js';

/**
 * The WhatsApp gateway used when no Cloud API credentials are configured: nothing leaves the
 * process. Sends are validated exactly like the real gateway (the same body builder, so content
 * WhatsApp would refuse fails here too), recorded in `sent` with the Cloud API JSON that would have
 * been posted, and answered with a fake `wamid.SANDBOX…` id. Media cannot be downloaded unless a test
 * or demo put it there with `putMedia`.
 */

export interface SandboxSentMessage {
  whatsappMessageId: string;
  phoneNumberId?: string;
  to: string;
  content: OutboundContent;
  replyTo?: string;
  /** The exact JSON the Cloud API gateway would have posted. */
  body: CloudApiMessageBody;
  at: Date;
}

export interface SandboxReadReceipt {
  phoneNumberId?: string;
  whatsappMessageId: string;
  at: Date;
}

export interface SandboxWhatsAppGatewayOptions {
  /** Keep at most this many records in `sent` and `reads` (oldest dropped). Default 1000. */
  capacity?: number;
  now?: () => Date;
  newMessageId?: () => string;
}

export const SANDBOX_MESSAGE_ID_PREFIX = 'wamid.SANDBOX';

export class SandboxWhatsAppGateway implements WhatsAppGateway {
  /** What would have been sent, oldest first. */
  readonly sent: SandboxSentMessage[] = [];
  readonly reads: SandboxReadReceipt[] = [];
  readonly #media = new Map<string, { data: Buffer; mimeType: string; filename?: string }>();
  readonly #failures: Error[] = [];
  readonly #capacity: number;
  readonly #now: () => Date;
  readonly #newMessageId: () => string;

  constructor(options: SandboxWhatsAppGatewayOptions = {}) {
    this.#capacity = options.capacity ?? 1000;
    if (!Number.isInteger(this.#capacity) || this.#capacity < 1)
      throw new Error('capacity must be a positive integer');
    this.#now = options.now ?? (() => new Date());
    this.#newMessageId =
      options.newMessageId ??
      (() => `${SANDBOX_MESSAGE_ID_PREFIX}${randomBytes(12).toString('hex').toUpperCase()}`);
  }

  async send(input: {
    phoneNumberId?: string;
    to: string;
    content: OutboundContent;
    replyTo?: string;
  }): Promise<SendResult> {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    const body = buildMessageBody(input);
    const record: SandboxSentMessage = {
      whatsappMessageId: this.#newMessageId(),
      to: input.to,
      content: structuredClone(input.content),
      body,
      at: this.#now(),
    };
    if (input.phoneNumberId !== undefined) record.phoneNumberId = input.phoneNumberId;
    if (input.replyTo !== undefined) record.replyTo = input.replyTo;
    push(this.sent, record, this.#capacity);
    return { whatsappMessageId: record.whatsappMessageId };
  }

  async markRead(input: { phoneNumberId?: string; whatsappMessageId: string }): Promise<void> {
    buildReadReceiptBody(input.whatsappMessageId);
    const record: SandboxReadReceipt = { whatsappMessageId: input.whatsappMessageId, at: this.#now() };
    if (input.phoneNumberId !== undefined) record.phoneNumberId = input.phoneNumberId;
    push(this.reads, record, this.#capacity);
  }

  async downloadMedia(input: {
    phoneNumberId?: string;
    mediaId: string;
  }): Promise<{ data: Buffer; mimeType: string; filename?: string }> {
    const file = this.#media.get(input.mediaId);
    if (!file) {
      throw new WhatsAppSendError(
        `Sandbox WhatsApp gateway cannot download media ${input.mediaId}: no Cloud API credentials are configured ` +
          '(set WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID to download real media)',
        false,
        undefined,
        'SANDBOX_NO_MEDIA',
      );
    }
    const out: { data: Buffer; mimeType: string; filename?: string } = {
      data: Buffer.from(file.data),
      mimeType: file.mimeType,
    };
    if (file.filename !== undefined) out.filename = file.filename;
    return out;
  }

  /** Makes `downloadMedia(mediaId)` answer with this file (tests, demos). */
  putMedia(mediaId: string, file: { data: Buffer; mimeType: string; filename?: string }): void {
    this.#media.set(mediaId, { ...file, data: Buffer.from(file.data) });
  }

  /** The next sends throw these errors, in order (to exercise retries without a network). */
  failNextSends(...errors: Error[]): void {
    this.#failures.push(...errors);
  }

  /** The last message sent, if any. */
  lastSent(): SandboxSentMessage | undefined {
    return this.sent.at(-1);
  }

  clear(): void {
    this.sent.length = 0;
    this.reads.length = 0;
    this.#failures.length = 0;
    this.#media.clear();
  }
}

function push<T>(list: T[], item: T, capacity: number): void {
  list.push(item);
  if (list.length > capacity) list.splice(0, list.length - capacity);
}
