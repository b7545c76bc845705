import { z } from 'zod';
import type { MessageType, WhatsAppStatus } from '../../domain/message/message.types.js';

/**
 * The WhatsApp Cloud API webhook (`POST` from Meta, `field: "messages"`) parsed into flat, typed events.
 *
 * The schemas are lenient: every object keeps unknown fields (`looseObject`), because Meta adds fields
 * without notice. Parsing is done element by element, so one malformed message never hides its
 * neighbours: an element that cannot be used is counted in `ignored`, never thrown. Only a body that is
 * not a JSON object at all throws `WebhookPayloadError`.
 *
 * Shapes: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */

// ---------------------------------------------------------------------------------------------
// Element schemas (each one parsed on its own by `parseWebhook`)

/** Unix seconds, as Meta sends them (a digit string; a number is accepted too). */
const unixSeconds = z
  .union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative().max(999_999_999_999)])
  .transform((v) => new Date(Number(v) * 1000));

const numeric = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);

export const webhookErrorSchema = z.looseObject({
  code: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});

const mediaSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

const locationSchema = z.looseObject({
  latitude: numeric,
  longitude: numeric,
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});

const sharedContactSchema = z.looseObject({
  name: z
    .looseObject({
      formatted_name: z.string().optional(),
      first_name: z.string().optional(),
      middle_name: z.string().optional(),
      last_name: z.string().optional(),
    })
    .optional(),
  org: z.looseObject({ company: z.string().optional() }).optional(),
  phones: z
    .array(
      z.looseObject({
        phone: z.string().optional(),
        wa_id: z.string().optional(),
        type: z.string().optional(),
      }),
    )
    .optional(),
});

const interactiveSchema = z.looseObject({
  type: z.string(),
  button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
  list_reply: z
    .looseObject({ id: z.string(), title: z.string(), description: z.string().optional() })
    .optional(),
});

// Per-type payloads, built once (building a zod schema per message costs more than parsing with it).
const textSchema = z.looseObject({ body: z.string() });
const sharedContactsSchema = z.array(sharedContactSchema).min(1);
const buttonSchema = z.looseObject({ text: z.string().optional(), payload: z.string().optional() });
const reactionSchema = z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() });
const orderSchema = z.looseObject({
  text: z.string().optional(),
  product_items: z.array(z.unknown()).optional(),
});
const systemSchema = z.looseObject({
  body: z.string().optional(),
  type: z.string().optional(),
  wa_id: z.string().optional(),
  new_wa_id: z.string().optional(),
});
const unsupportedSchema = z.looseObject({ type: z.string().optional() });

const contextSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
});

/** One entry of `value.messages`. The per-type objects are checked when the message is mapped. */
export const webhookMessageSchema = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string().min(1).default('unknown'),
  context: contextSchema.optional(),
  errors: z.array(z.unknown()).optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
});

/** One entry of `value.statuses` (the outbound message `id` moved to `status`). */
export const webhookStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(['sent', 'delivered', 'read', 'failed']),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
  conversation: z.record(z.string(), z.unknown()).optional(),
  pricing: z.record(z.string(), z.unknown()).optional(),
  biz_opaque_callback_data: z.string().optional(),
});

export const webhookContactSchema = z.looseObject({
  wa_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});

export const webhookValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({
    display_phone_number: z.string().optional(),
    phone_number_id: z.string().min(1),
  }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

export const webhookChangeSchema = z.looseObject({
  field: z.string().optional(),
  value: z.unknown(),
});

export const webhookEntrySchema = z.looseObject({
  id: z.string().min(1),
  changes: z.array(z.unknown()),
});

/**
 * The whole envelope, fully typed (for validation and documentation). `parseWebhook` does not require
 * the whole envelope to pass: it walks it element by element with the schemas above.
 */
export const webhookEnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    webhookEntrySchema.extend({
      changes: z.array(
        webhookChangeSchema.extend({
          value: webhookValueSchema.extend({
            contacts: z.array(webhookContactSchema).optional(),
            messages: z.array(webhookMessageSchema).optional(),
            statuses: z.array(webhookStatusSchema).optional(),
            errors: z.array(webhookErrorSchema).optional(),
          }),
        }),
      ),
    }),
  ),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

// ---------------------------------------------------------------------------------------------
// Normalized events

/** An error object as WhatsApp reports it in webhooks (message errors, status errors, change errors). */
export interface WebhookError {
  code: number;
  title: string;
  message?: string;
  details?: string;
  href?: string;
}

export interface InboundMedia {
  /** WhatsApp media id: download with `GET /{version}/{id}` (expires after 7 days). */
  id: string;
  mimeType: string;
  sha256?: string;
  filename?: string;
  caption?: string;
  /** Audio: recorded in the app (push-to-talk) rather than a file. */
  voice?: boolean;
  /** Sticker: animated. */
  animated?: boolean;
}

export type InboundInteractive =
  | { type: 'button'; replyId: string; title: string }
  | { type: 'list'; replyId: string; title: string; description?: string };

export interface InboundMessageEvent {
  /** Key for idempotent processing (webhooks are delivered at least once): the WhatsApp message id. */
  dedupeKey: string;
  whatsappMessageId: string;
  /** The customer's WhatsApp id (digits, no `+`). */
  from: string;
  /** The customer's profile name, from `value.contacts[]` with the same `wa_id`. */
  profileName?: string;
  /** Our business number that received it. */
  phoneNumberId: string;
  displayPhoneNumber?: string;
  /** The WhatsApp Business Account id (`entry[].id`). */
  businessAccountId: string;
  timestamp: Date;
  type: MessageType;
  /**
   * The type WhatsApp gave (`text`, `contacts`, `order`, `system`, `unsupported`, ...). For interactive
   * messages other than button/list replies it is `interactive.<subtype>` (e.g. `interactive.nfm_reply`).
   */
  rawType: string;
  /** Text, caption, or a readable summary (`[image]`, `📍 name, address`); never empty. */
  content: string;
  media?: InboundMedia;
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  contacts?: { name: string; phones: string[] }[];
  /** A tap on an interactive reply button or list row we sent. */
  interactive?: InboundInteractive;
  /** A tap on a template quick-reply button (`type: 'button'`). */
  button?: { text: string; payload?: string };
  /** `emoji` is '' and `removed` true when the customer took the reaction back. */
  reaction?: { emoji: string; whatsappMessageId: string; removed: boolean };
  /** `system` messages, e.g. the customer changed number (`newWaId`). */
  system?: { type?: string; body?: string; waId?: string; newWaId?: string };
  /** `context.id`: the message this one replies to (or whose button was tapped). */
  replyToWhatsappId?: string;
  isForwarded: boolean;
  frequentlyForwarded: boolean;
  /** Click-to-WhatsApp ad referral, kept as sent. */
  referral?: Record<string, unknown>;
  /** Errors WhatsApp attached to the message (e.g. 131051 for unsupported types). */
  errors?: WebhookError[];
}

export interface StatusEvent {
  /** `${statusId}:${status}`: one status of one message is processed once. */
  dedupeKey: string;
  /** The status object's id: the `wamid` of OUR outbound message. */
  statusId: string;
  status: WhatsAppStatus;
  timestamp: Date;
  /** The customer's WhatsApp id; absent only if WhatsApp leaves it out. */
  recipientId?: string;
  phoneNumberId: string;
  businessAccountId: string;
  errors?: WebhookError[];
  /** Kept raw (billing information; changes with Meta's pricing model). */
  conversation?: Record<string, unknown>;
  pricing?: Record<string, unknown>;
  bizOpaqueCallbackData?: string;
}

/** `value.errors[]`: errors not tied to one message (e.g. a webhook delivery or account problem). */
export interface WebhookErrorEvent {
  phoneNumberId: string;
  businessAccountId: string;
  errors: WebhookError[];
}

export interface NormalizedWebhook {
  inbound: InboundMessageEvent[];
  statuses: StatusEvent[];
  errors: WebhookErrorEvent[];
  /**
   * Elements skipped because they carried nothing usable: a non-WhatsApp `object`, no entries, an
   * entry without changes, an entry or change of the wrong shape, a change for another field, a change with nothing in it, a message or status
   * missing its id / sender / timestamp or with an unknown status.
   */
  ignored: number;
}

/** The body is not a webhook at all (not a JSON object). Answer 400; do not retry processing. */
export class WebhookPayloadError extends Error {
  readonly code = 'WHATSAPP.WEBHOOK_PAYLOAD';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}

// ---------------------------------------------------------------------------------------------
// Fast path
//
// Nearly every element Meta sends has the plain shape below, which a few `typeof` checks confirm at a
// fraction of what zod's walk costs (this runs before the webhook is acknowledged). A fast check only
// ever vouches for input its schema accepts, and then returns what the schema would (the input's own
// fields, with the same transforms); anything it does not vouch for goes to the schema itself, so the
// outcome — accepted or not, and the data — is always the schema's.

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isOptionalBoolean = (v: unknown): boolean => v === undefined || typeof v === 'boolean';
const isOptionalArray = (v: unknown): boolean => v === undefined || Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
/** `unixSeconds`' string form (the one Meta uses). */
const UNIX_SECONDS = /^\d{1,12}$/;

/** `schema`'s data for `value` (undefined: refused), asking `fast` first. */
function parseElement<T>(
  schema: z.ZodType<T>,
  value: unknown,
  fast: (value: Plain) => T | undefined,
): T | undefined {
  if (isPlain(value)) {
    const data = fast(value);
    if (data !== undefined) return data;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

type ParsedEntry = z.infer<typeof webhookEntrySchema>;
const fastEntry = (e: Plain): ParsedEntry | undefined =>
  isNonEmptyString(e.id) && Array.isArray(e.changes) ? (e as ParsedEntry) : undefined;

type ParsedChange = z.infer<typeof webhookChangeSchema>;
const fastChange = (c: Plain): ParsedChange | undefined =>
  isOptionalString(c.field) ? (c as ParsedChange) : undefined;

type ParsedValue = z.infer<typeof webhookValueSchema>;
const fastValue = (v: Plain): ParsedValue | undefined =>
  isOptionalString(v.messaging_product) &&
  isPlain(v.metadata) &&
  isNonEmptyString(v.metadata.phone_number_id) &&
  isOptionalString(v.metadata.display_phone_number) &&
  isOptionalArray(v.contacts) &&
  isOptionalArray(v.messages) &&
  isOptionalArray(v.statuses) &&
  isOptionalArray(v.errors)
    ? (v as ParsedValue)
    : undefined;

type ParsedContact = z.infer<typeof webhookContactSchema>;
const fastContact = (c: Plain): ParsedContact | undefined =>
  isOptionalString(c.wa_id) &&
  (c.profile === undefined || (isPlain(c.profile) && isOptionalString(c.profile.name)))
    ? (c as ParsedContact)
    : undefined;

/** Messages with `errors` or a `referral` (rare) are left to the schema. */
const fastMessage = (m: Plain): ParsedMessage | undefined =>
  isNonEmptyString(m.from) &&
  isNonEmptyString(m.id) &&
  typeof m.timestamp === 'string' &&
  UNIX_SECONDS.test(m.timestamp) &&
  (m.type === undefined || isNonEmptyString(m.type)) &&
  (m.context === undefined || isFastContext(m.context)) &&
  m.errors === undefined &&
  m.referral === undefined
    ? ({ ...m, timestamp: new Date(Number(m.timestamp) * 1000), type: m.type ?? 'unknown' } as ParsedMessage)
    : undefined;

const isFastContext = (c: unknown): boolean =>
  isPlain(c) &&
  isOptionalString(c.from) &&
  isOptionalString(c.id) &&
  isOptionalBoolean(c.forwarded) &&
  isOptionalBoolean(c.frequently_forwarded);

const STATUSES: ReadonlySet<unknown> = new Set(['sent', 'delivered', 'read', 'failed']);
type ParsedStatus = z.infer<typeof webhookStatusSchema>;
/** Statuses with `errors`, `conversation` or `pricing` (the records are copied by the schema) are left to it. */
const fastStatus = (s: Plain): ParsedStatus | undefined =>
  isNonEmptyString(s.id) &&
  STATUSES.has(s.status) &&
  typeof s.timestamp === 'string' &&
  UNIX_SECONDS.test(s.timestamp) &&
  isOptionalString(s.recipient_id) &&
  isOptionalString(s.biz_opaque_callback_data) &&
  s.errors === undefined &&
  s.conversation === undefined &&
  s.pricing === undefined
    ? ({ ...s, timestamp: new Date(Number(s.timestamp) * 1000) } as ParsedStatus)
    : undefined;

/** The `text` of a text message. */
const fastText = (t: Plain): z.infer<typeof textSchema> | undefined =>
  typeof t.body === 'string' ? (t as z.infer<typeof textSchema>) : undefined;

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Flattens every `entry[] × changes[]` of a webhook body into inbound messages, statuses and change
 * errors. Never throws for a JSON object, however malformed; throws `WebhookPayloadError` for anything
 * else (null, an array, a string, a number).
 */
export function parseWebhook(json: unknown): NormalizedWebhook {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new WebhookPayloadError(
      `webhook body must be a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`,
    );
  }
  const out: NormalizedWebhook = { inbound: [], statuses: [], errors: [], ignored: 0 };
  const body = json as Record<string, unknown>;
  if (body.object !== 'whatsapp_business_account' || !Array.isArray(body.entry) || body.entry.length === 0) {
    out.ignored += 1;
    return out;
  }
  for (const rawEntry of body.entry) {
    const entry = parseElement(webhookEntrySchema, rawEntry, fastEntry);
    if (!entry || entry.changes.length === 0) {
      out.ignored += 1;
      continue;
    }
    for (const rawChange of entry.changes) {
      parseChange(rawChange, entry.id, out);
    }
  }
  return out;
}

function parseChange(rawChange: unknown, businessAccountId: string, out: NormalizedWebhook): void {
  const change = parseElement(webhookChangeSchema, rawChange, fastChange);
  // Other fields (account_update, message_template_status_update, ...) are not handled here.
  if (!change || (change.field !== undefined && change.field !== 'messages')) {
    out.ignored += 1;
    return;
  }
  const value = parseElement(webhookValueSchema, change.value, fastValue);
  if (!value) {
    out.ignored += 1;
    return;
  }
  const { metadata } = value;
  const where = {
    phoneNumberId: metadata.phone_number_id,
    displayPhoneNumber: metadata.display_phone_number,
    businessAccountId,
  };
  const messages = value.messages ?? [];
  const statuses = value.statuses ?? [];
  const changeErrors = parseErrors(value.errors);
  if (messages.length === 0 && statuses.length === 0 && changeErrors === undefined) {
    out.ignored += 1;
    return;
  }

  const profileNames = new Map<string, string>();
  for (const rawContact of value.contacts ?? []) {
    const contact = parseElement(webhookContactSchema, rawContact, fastContact);
    const name = contact?.profile?.name;
    if (contact?.wa_id && name) profileNames.set(contact.wa_id, name);
  }

  for (const rawMessage of messages) {
    const message = parseElement(webhookMessageSchema, rawMessage, fastMessage);
    if (!message) {
      out.ignored += 1;
      continue;
    }
    out.inbound.push(toInbound(message, where, profileNames.get(message.from)));
  }

  for (const rawStatus of statuses) {
    const s = parseElement(webhookStatusSchema, rawStatus, fastStatus);
    if (!s) {
      out.ignored += 1;
      continue;
    }
    const event: StatusEvent = {
      dedupeKey: `${s.id}:${s.status}`,
      statusId: s.id,
      status: s.status,
      timestamp: s.timestamp,
      phoneNumberId: where.phoneNumberId,
      businessAccountId,
    };
    if (s.recipient_id !== undefined) event.recipientId = s.recipient_id;
    const errors = parseErrors(s.errors);
    if (errors) event.errors = errors;
    if (s.conversation) event.conversation = s.conversation;
    if (s.pricing) event.pricing = s.pricing;
    if (s.biz_opaque_callback_data !== undefined) event.bizOpaqueCallbackData = s.biz_opaque_callback_data;
    out.statuses.push(event);
  }

  if (changeErrors)
    out.errors.push({ phoneNumberId: where.phoneNumberId, businessAccountId, errors: changeErrors });
}

function parseErrors(raw: unknown[] | undefined): WebhookError[] | undefined {
  if (!raw || raw.length === 0) return undefined;
  const errors: WebhookError[] = [];
  for (const item of raw) {
    const parsed = webhookErrorSchema.safeParse(item);
    if (!parsed.success) continue;
    const e = parsed.data;
    const error: WebhookError = { code: e.code, title: e.title ?? e.message ?? `error ${e.code}` };
    if (e.message !== undefined) error.message = e.message;
    if (e.error_data?.details !== undefined) error.details = e.error_data.details;
    if (e.href !== undefined) error.href = e.href;
    errors.push(error);
  }
  return errors.length > 0 ? errors : undefined;
}

type ParsedMessage = z.infer<typeof webhookMessageSchema>;
interface Where {
  phoneNumberId: string;
  displayPhoneNumber: string | undefined;
  businessAccountId: string;
}

/** The type-specific part of an inbound event. */
type Mapped = Pick<InboundMessageEvent, 'type' | 'rawType' | 'content'> &
  Partial<
    Pick<
      InboundMessageEvent,
      'media' | 'location' | 'contacts' | 'interactive' | 'button' | 'reaction' | 'system'
    >
  >;

function toInbound(m: ParsedMessage, where: Where, profileName: string | undefined): InboundMessageEvent {
  const mapped = mapByType(m);
  const event: InboundMessageEvent = {
    dedupeKey: m.id,
    whatsappMessageId: m.id,
    from: m.from,
    phoneNumberId: where.phoneNumberId,
    businessAccountId: where.businessAccountId,
    timestamp: m.timestamp,
    isForwarded: m.context?.forwarded === true || m.context?.frequently_forwarded === true,
    frequentlyForwarded: m.context?.frequently_forwarded === true,
    ...mapped,
    content: mapped.content.trim().length > 0 ? mapped.content : `[${mapped.rawType}]`,
  };
  if (profileName !== undefined) event.profileName = profileName;
  if (where.displayPhoneNumber !== undefined) event.displayPhoneNumber = where.displayPhoneNumber;
  if (m.context?.id) event.replyToWhatsappId = m.context.id;
  if (m.referral) event.referral = m.referral;
  const errors = parseErrors(m.errors);
  if (errors) event.errors = errors;
  return event;
}

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMediaType = (t: string): t is MediaType => (MEDIA_TYPES as readonly string[]).includes(t);

function mapByType(m: ParsedMessage): Mapped {
  const raw = m as Record<string, unknown>;
  const type = m.type;

  if (type === 'text') {
    const text = parseElement(textSchema, raw.text, fastText);
    if (text) return { type: 'text', rawType: type, content: text.body };
    return unsupported(type);
  }

  if (isMediaType(type)) {
    const parsed = mediaSchema.safeParse(raw[type]);
    if (!parsed.success) return unsupported(type);
    return { type, rawType: type, ...mapMedia(type, parsed.data) };
  }

  if (type === 'location') {
    const loc = locationSchema.safeParse(raw.location);
    if (!loc.success) return unsupported(type);
    const { latitude, longitude, name, address, url } = loc.data;
    const location: NonNullable<InboundMessageEvent['location']> = { latitude, longitude };
    if (name) location.name = name;
    if (address) location.address = address;
    if (url) location.url = url;
    const label = [name, address].filter((s): s is string => !!s && s.trim().length > 0).join(', ');
    return {
      type: 'location',
      rawType: type,
      content: `📍 ${label || `${latitude}, ${longitude}`}`,
      location,
    };
  }

  if (type === 'contacts') {
    const list = sharedContactsSchema.safeParse(raw.contacts);
    if (!list.success) return unsupported(type);
    const contacts = list.data.map((c) => {
      const phones = (c.phones ?? []).map((p) => p.phone ?? p.wa_id).filter((p): p is string => !!p);
      const fullName = [c.name?.first_name, c.name?.middle_name, c.name?.last_name].filter(Boolean).join(' ');
      const name = c.name?.formatted_name || fullName || c.org?.company || phones[0] || 'Unknown contact';
      return { name, phones };
    });
    return {
      type: 'contact',
      rawType: type,
      content: `👤 ${contacts.map((c) => c.name).join(', ')}`,
      contacts,
    };
  }

  if (type === 'interactive') {
    const parsed = interactiveSchema.safeParse(raw.interactive);
    if (!parsed.success) return unsupported(type);
    const i = parsed.data;
    if (i.type === 'button_reply' && i.button_reply) {
      const { id, title } = i.button_reply;
      return {
        type: 'interactive',
        rawType: type,
        content: title || '[button reply]',
        interactive: { type: 'button', replyId: id, title },
      };
    }
    if (i.type === 'list_reply' && i.list_reply) {
      const { id, title, description } = i.list_reply;
      const interactive: InboundInteractive =
        description !== undefined
          ? { type: 'list', replyId: id, title, description }
          : { type: 'list', replyId: id, title };
      return { type: 'interactive', rawType: type, content: title || '[list reply]', interactive };
    }
    // Flow replies (nfm_reply), call permission replies, ...: kept, not interpreted.
    return unsupported(`interactive.${i.type}`);
  }

  if (type === 'button') {
    const parsed = buttonSchema.safeParse(raw.button);
    if (!parsed.success) return unsupported(type);
    const button: NonNullable<InboundMessageEvent['button']> = { text: parsed.data.text ?? '' };
    if (parsed.data.payload !== undefined) button.payload = parsed.data.payload;
    return { type: 'button', rawType: type, content: button.text || button.payload || '[button]', button };
  }

  if (type === 'reaction') {
    const parsed = reactionSchema.safeParse(raw.reaction);
    if (!parsed.success) return unsupported(type);
    const emoji = parsed.data.emoji ?? '';
    return {
      type: 'reaction',
      rawType: type,
      content: emoji || '[reaction removed]',
      reaction: { emoji, whatsappMessageId: parsed.data.message_id, removed: emoji.length === 0 },
    };
  }

  if (type === 'order') {
    const parsed = orderSchema.safeParse(raw.order);
    const items = parsed.success ? (parsed.data.product_items?.length ?? 0) : 0;
    const text = parsed.success ? parsed.data.text : undefined;
    const summary = `🛒 order: ${items} item${items === 1 ? '' : 's'}${text ? ` — ${text}` : ''}`;
    return { type: 'unsupported', rawType: type, content: summary };
  }

  if (type === 'system') {
    const parsed = systemSchema.safeParse(raw.system);
    const system: NonNullable<InboundMessageEvent['system']> = {};
    if (parsed.success) {
      if (parsed.data.type !== undefined) system.type = parsed.data.type;
      if (parsed.data.body !== undefined) system.body = parsed.data.body;
      if (parsed.data.wa_id !== undefined) system.waId = parsed.data.wa_id;
      if (parsed.data.new_wa_id !== undefined) system.newWaId = parsed.data.new_wa_id;
    }
    return { type: 'unsupported', rawType: type, content: system.body || '[system message]', system };
  }

  if (type === 'unsupported') {
    const parsed = unsupportedSchema.safeParse(raw.unsupported);
    const detail = parsed.success ? parsed.data.type : undefined;
    return {
      type: 'unsupported',
      rawType: type,
      content: `[unsupported message${detail ? `: ${detail}` : ''}]`,
    };
  }

  return unsupported(type);
}

function unsupported(rawType: string): Mapped {
  return { type: 'unsupported', rawType, content: `[unsupported message: ${rawType}]` };
}

const MEDIA_LABEL: Record<MediaType, string> = {
  image: '[image]',
  audio: '[audio]',
  video: '[video]',
  document: '[document]',
  sticker: '[sticker]',
};

function mapMedia(
  type: MediaType,
  p: z.infer<typeof mediaSchema>,
): Pick<InboundMessageEvent, 'content' | 'media'> {
  const media: InboundMedia = { id: p.id, mimeType: p.mime_type ?? 'application/octet-stream' };
  if (p.sha256 !== undefined) media.sha256 = p.sha256;
  if (p.filename !== undefined) media.filename = p.filename;
  if (p.caption !== undefined) media.caption = p.caption;
  if (p.voice !== undefined) media.voice = p.voice;
  if (p.animated !== undefined) media.animated = p.animated;
  let content = p.caption?.trim() ? p.caption : MEDIA_LABEL[type];
  if (!p.caption?.trim()) {
    if (type === 'audio' && p.voice) content = '[voice message]';
    if (type === 'document' && p.filename) content = `[document: ${p.filename}]`;
  }
  return { content, media };
}
