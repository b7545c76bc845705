import { type OutboundContent, WhatsAppSendError } from '../../application/ports/gateways.js';

/**
 * The exact Cloud API JSON for `POST /{version}/{phone-number-id}/messages`, built from our
 * `OutboundContent`, checked against WhatsApp's documented limits first so that a message WhatsApp
 * would refuse fails here, once, with a readable reason (and is never retried).
 *
 * Shapes: https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/
 */

/** Documented Cloud API limits (characters). */
export const WHATSAPP_LIMITS = Object.freeze({
  textBody: 4096,
  caption: 1024,
  buttonBody: 1024,
  listBody: 4096,
  buttons: 3,
  buttonId: 256,
  buttonTitle: 20,
  listButtonText: 20,
  sections: 10,
  rows: 10,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  sectionTitle: 24,
  templateName: 512,
});

/** Content WhatsApp would refuse (too long, missing, malformed). Final: retrying cannot help. */
export class InvalidOutboundContentError extends WhatsAppSendError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`Invalid WhatsApp message: ${field} ${reason}`, false, undefined, 'INVALID_CONTENT');
    this.name = 'InvalidOutboundContentError';
  }
}

export type CloudApiMessageBody = Record<string, unknown> & {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: string;
};

/**
 * Recipient as the Cloud API wants it: the digits of the phone number (`+`, spaces, dashes, dots and
 * parentheses are dropped), 5 to 15 of them.
 */
export function normalizeRecipient(to: string): string {
  const digits = to.trim().replace(/[\s\-().+]/g, '');
  if (!/^\d{5,15}$/.test(digits))
    throw new InvalidOutboundContentError('to', 'must be a phone number (E.164 digits)');
  return digits;
}

export function buildMessageBody(input: {
  to: string;
  content: OutboundContent;
  replyTo?: string;
}): CloudApiMessageBody {
  const { content } = input;
  const base = {
    messaging_product: 'whatsapp' as const,
    recipient_type: 'individual' as const,
    to: normalizeRecipient(input.to),
  };
  const body: CloudApiMessageBody = { ...base, type: content.type, ...contentPart(content) };
  if (input.replyTo !== undefined) {
    if (input.replyTo.trim().length === 0)
      throw new InvalidOutboundContentError('replyTo', 'must not be empty');
    body.context = { message_id: input.replyTo };
  }
  return body;
}

/** `POST /{phone-number-id}/messages` body marking an inbound message read (optionally with typing dots). */
export function buildReadReceiptBody(whatsappMessageId: string, options: { typing?: boolean } = {}) {
  if (whatsappMessageId.trim().length === 0)
    throw new InvalidOutboundContentError('whatsappMessageId', 'is required');
  const body: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: whatsappMessageId,
  };
  if (options.typing) body.typing_indicator = { type: 'text' };
  return body;
}

function contentPart(content: OutboundContent): Record<string, unknown> {
  switch (content.type) {
    case 'text': {
      requireText('text.body', content.body, WHATSAPP_LIMITS.textBody);
      return { text: { preview_url: content.previewUrl ?? false, body: content.body } };
    }
    case 'template': {
      if (!/^[a-z0-9_]+$/.test(content.name) || content.name.length > WHATSAPP_LIMITS.templateName) {
        throw new InvalidOutboundContentError(
          'template.name',
          'must be a template name (lowercase letters, digits, _)',
        );
      }
      if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(content.language)) {
        throw new InvalidOutboundContentError(
          'template.language',
          'must be a language code such as en or en_US',
        );
      }
      content.parameters.forEach((p, i) => {
        const field = `template.parameters[${i}]`;
        if (typeof p !== 'string' || p.trim().length === 0)
          throw new InvalidOutboundContentError(field, 'must not be empty');
        // WhatsApp refuses template parameters with new lines, tabs or more than 4 consecutive spaces.
        if (/[\n\r\t]/.test(p) || / {5,}/.test(p)) {
          throw new InvalidOutboundContentError(
            field,
            'must not contain new lines, tabs or more than 4 consecutive spaces',
          );
        }
      });
      const template: Record<string, unknown> = { name: content.name, language: { code: content.language } };
      if (content.parameters.length > 0) {
        template.components = [
          { type: 'body', parameters: content.parameters.map((text) => ({ type: 'text', text })) },
        ];
      }
      return { template };
    }
    case 'image':
    case 'document':
    case 'audio':
    case 'video': {
      const field = content.type;
      if (!isHttpUrl(content.link))
        throw new InvalidOutboundContentError(`${field}.link`, 'must be an http(s) URL');
      const media: Record<string, unknown> = { link: content.link };
      if (content.caption !== undefined && content.caption.length > 0) {
        if (content.type === 'audio')
          throw new InvalidOutboundContentError('audio.caption', 'is not supported by WhatsApp');
        requireText(`${field}.caption`, content.caption, WHATSAPP_LIMITS.caption);
        media.caption = content.caption;
      }
      // Only documents carry a file name on WhatsApp; for other media it has no meaning.
      if (
        content.type === 'document' &&
        content.filename !== undefined &&
        content.filename.trim().length > 0
      ) {
        media.filename = content.filename;
      }
      return { [content.type]: media };
    }
    case 'location': {
      const { latitude, longitude } = content;
      if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) {
        throw new InvalidOutboundContentError('location.latitude', 'must be between -90 and 90');
      }
      if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180) {
        throw new InvalidOutboundContentError('location.longitude', 'must be between -180 and 180');
      }
      const location: Record<string, unknown> = { latitude, longitude };
      if (content.name) location.name = content.name;
      if (content.address) location.address = content.address;
      return { location };
    }
    case 'interactive':
      return { interactive: content.kind === 'button' ? buttonMessage(content) : listMessage(content) };
    default: {
      const unknown: { type?: unknown } = content;
      throw new InvalidOutboundContentError(
        'type',
        `${String(unknown.type)} is not a supported message type`,
      );
    }
  }
}

type Interactive = Extract<OutboundContent, { type: 'interactive' }>;

function buttonMessage(content: Interactive): Record<string, unknown> {
  requireText('interactive.body', content.body, WHATSAPP_LIMITS.buttonBody);
  const buttons = content.buttons ?? [];
  if (buttons.length < 1 || buttons.length > WHATSAPP_LIMITS.buttons) {
    throw new InvalidOutboundContentError(
      'interactive.buttons',
      `must have 1 to ${WHATSAPP_LIMITS.buttons} buttons`,
    );
  }
  buttons.forEach((b, i) => {
    requireText(`interactive.buttons[${i}].id`, b.id, WHATSAPP_LIMITS.buttonId);
    requireText(`interactive.buttons[${i}].title`, b.title, WHATSAPP_LIMITS.buttonTitle);
  });
  requireUnique(
    'interactive.buttons',
    'id',
    buttons.map((b) => b.id),
  );
  requireUnique(
    'interactive.buttons',
    'title',
    buttons.map((b) => b.title),
  );
  return {
    type: 'button',
    body: { text: content.body },
    action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
  };
}

function listMessage(content: Interactive): Record<string, unknown> {
  requireText('interactive.body', content.body, WHATSAPP_LIMITS.listBody);
  requireText('interactive.buttonText', content.buttonText, WHATSAPP_LIMITS.listButtonText);
  const sections = content.sections ?? [];
  if (sections.length < 1 || sections.length > WHATSAPP_LIMITS.sections) {
    throw new InvalidOutboundContentError(
      'interactive.sections',
      `must have 1 to ${WHATSAPP_LIMITS.sections} sections`,
    );
  }
  const rows = sections.flatMap((s) => s.rows);
  if (rows.length < 1 || rows.length > WHATSAPP_LIMITS.rows) {
    throw new InvalidOutboundContentError(
      'interactive.sections',
      `must have 1 to ${WHATSAPP_LIMITS.rows} rows in all`,
    );
  }
  requireUnique(
    'interactive.sections.rows',
    'id',
    rows.map((r) => r.id),
  );
  return {
    type: 'list',
    body: { text: content.body },
    action: {
      button: content.buttonText,
      sections: sections.map((s, si) => {
        const section: Record<string, unknown> = {};
        if (s.title !== undefined && s.title.length > 0) {
          requireText(`interactive.sections[${si}].title`, s.title, WHATSAPP_LIMITS.sectionTitle);
          section.title = s.title;
        } else if (sections.length > 1) {
          throw new InvalidOutboundContentError(
            `interactive.sections[${si}].title`,
            'is required when there are several sections',
          );
        }
        if (s.rows.length === 0)
          throw new InvalidOutboundContentError(`interactive.sections[${si}].rows`, 'must not be empty');
        section.rows = s.rows.map((r, ri) => {
          const at = `interactive.sections[${si}].rows[${ri}]`;
          requireText(`${at}.id`, r.id, WHATSAPP_LIMITS.rowId);
          requireText(`${at}.title`, r.title, WHATSAPP_LIMITS.rowTitle);
          const row: Record<string, unknown> = { id: r.id, title: r.title };
          if (r.description !== undefined && r.description.length > 0) {
            requireText(`${at}.description`, r.description, WHATSAPP_LIMITS.rowDescription);
            row.description = r.description;
          }
          return row;
        });
        return section;
      }),
    },
  };
}

/** Length in characters (code points), as WhatsApp counts them, not UTF-16 units. */
const charLength = (s: string): number => [...s].length;

function requireText(field: string, value: string | undefined, max: number): void {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw new InvalidOutboundContentError(field, 'is required');
  if (charLength(value) > max)
    throw new InvalidOutboundContentError(field, `must be at most ${max} characters`);
}

function requireUnique(field: string, key: string, values: string[]): void {
  if (new Set(values).size !== values.length)
    throw new InvalidOutboundContentError(field, `must have distinct ${key}s`);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
