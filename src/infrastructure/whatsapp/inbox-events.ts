import type { InboundMessage } from '../../application/messages/receive-inbound-message.js';
import type { InboxEvent } from '../../application/ports/webhook-inbox.js';
import type { InboundMessageEvent, NormalizedWebhook, StatusEvent } from './webhook-payload.js';

/**
 * A parsed webhook as inbox events: one per customer message (`message:<wamid>`) and one per status
 * (`status:<wamid>:<status>`), in the order of the body. Only the fields the use cases read are
 * kept (the raw extras — referral, pricing, system details — are not stored), so what goes into the
 * inbox is small, plain and safe to store as a document.
 */
export function toInboxEvents(webhook: NormalizedWebhook): InboxEvent[] {
  const events: InboxEvent[] = [];
  for (const m of webhook.inbound) {
    events.push({
      kind: 'message',
      key: `message:${m.dedupeKey}`,
      orderKey: m.from,
      message: toInboundMessage(m),
    });
  }
  for (const s of webhook.statuses) {
    events.push({
      kind: 'status',
      key: `status:${s.dedupeKey}`,
      orderKey: s.recipientId ?? s.statusId,
      status: toStatusUpdate(s),
    });
  }
  return events;
}

function toInboundMessage(m: InboundMessageEvent): InboundMessage {
  const message: InboundMessage = {
    whatsappMessageId: m.whatsappMessageId,
    from: m.from,
    phoneNumberId: m.phoneNumberId,
    businessAccountId: m.businessAccountId,
    timestamp: m.timestamp,
    type: m.type,
    content: m.content,
    isForwarded: m.isForwarded,
  };
  if (m.profileName !== undefined) message.profileName = m.profileName;
  if (m.media) {
    message.media = { id: m.media.id, mimeType: m.media.mimeType };
    if (m.media.filename !== undefined) message.media.filename = m.media.filename;
    if (m.media.caption !== undefined) message.media.caption = m.media.caption;
  }
  if (m.location) {
    const { latitude, longitude, name, address } = m.location;
    message.location = { latitude, longitude };
    if (name !== undefined) message.location.name = name;
    if (address !== undefined) message.location.address = address;
  }
  if (m.contacts) message.contacts = m.contacts.map((c) => ({ name: c.name, phones: [...c.phones] }));
  if (m.interactive) message.interactive = { ...m.interactive };
  if (m.button) message.button = { ...m.button };
  if (m.reaction) message.reaction = { ...m.reaction };
  if (m.replyToWhatsappId !== undefined) message.replyToWhatsappId = m.replyToWhatsappId;
  return message;
}

function toStatusUpdate(s: StatusEvent): Extract<InboxEvent, { kind: 'status' }>['status'] {
  const update: Extract<InboxEvent, { kind: 'status' }>['status'] = {
    whatsappMessageId: s.statusId,
    status: s.status,
    timestamp: s.timestamp,
  };
  if (s.errors) {
    update.errors = s.errors.map((e) => ({
      code: e.code,
      title: e.title,
      ...(e.message !== undefined ? { message: e.message } : {}),
    }));
  }
  return update;
}
