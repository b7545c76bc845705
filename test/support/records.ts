/**
 * Plain factories for valid persisted records (the `*Primitives` shapes repositories store),
 * independent of the entity classes. Used by the repository contract suites and by any test that
 * needs stored data without going through a use case.
 *
 * - `xRecord(overrides?)` fills every REQUIRED field with a sensible default (the defaults the
 *   entities' `create` applies; `version: 1` where there is one) and leaves optional fields absent.
 * - `fullXRecord(overrides?)` additionally fills EVERY optional field (nested ones included), so a
 *   round trip through an adapter proves that its mapping loses nothing.
 *
 * An override whose value is `undefined` removes that field, so `conversationRecord({ assignedAgent:
 * undefined })` has no `assignedAgent` key at all. Unique values (ids, e-mails, phones, ticket ids,
 * setting keys, token hashes) differ on every call.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { SessionRecord } from '../../src/application/ports/repositories.js';
import type { ActivityLogPrimitives } from '../../src/domain/activity/activity.types.js';
import type { AgentPrimitives } from '../../src/domain/agent/agent.types.js';
import type { ConversationPrimitives } from '../../src/domain/conversation/conversation.types.js';
import type { CustomerPrimitives } from '../../src/domain/customer/customer.types.js';
import type { MessagePrimitives } from '../../src/domain/message/message.types.js';
import type { SystemSettingPrimitives } from '../../src/domain/settings/settings.types.js';
import type { Id } from '../../src/domain/shared/ids.js';
import type { ConversationThreadPrimitives } from '../../src/domain/thread/conversation-thread.types.js';
import type { TicketPrimitives } from '../../src/domain/ticket/ticket.types.js';

/** A fresh random 24-hex id (the MongoDB ObjectId format the domain uses). */
export const newId = (): Id => randomBytes(12).toString('hex');

/** The instant the default records are created at (milliseconds only: what MongoDB keeps). */
export const BASE_TIME = new Date('2025-03-03T15:00:00.000Z');

/** `BASE_TIME` plus `minutes` (negative for earlier). Always a new Date. */
export const minutesAfterBase = (minutes: number): Date => new Date(BASE_TIME.getTime() + minutes * 60_000);

let sequence = randomInt(0, 1_000_000);
const nextNumber = (): number => {
  sequence += 1;
  return sequence;
};
const digits = (n: number, width: number): string => String(n % 10 ** width).padStart(width, '0');

function withOverrides<T extends object>(defaults: T, overrides: Partial<T> | undefined): T {
  const merged = { ...defaults, ...overrides } as Record<string, unknown>;
  for (const key of Object.keys(merged)) {
    if (merged[key] === undefined) delete merged[key];
  }
  return merged as T;
}

// ---------------------------------------------------------------------------------------------
// Agents

export function agentRecord(overrides?: Partial<AgentPrimitives>): AgentPrimitives {
  const n = nextNumber();
  return withOverrides<AgentPrimitives>(
    {
      id: newId(),
      email: `agent.${n}@example.com`,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$2Bq3cKbW0mQyC0nXhQ2sFh1jT3yVYq8vS0m5k8y9f6Q',
      firstName: 'Ana',
      lastName: 'Torres',
      role: 'agent',
      status: 'offline',
      permissions: ['read:conversations', 'write:messages'],
      preferences: {
        language: 'es',
        timezone: 'America/Mexico_City',
        notifications: { email: true, push: true, sound: true },
        autoAssignment: true,
      },
      statistics: {
        totalConversations: 0,
        resolvedConversations: 0,
        averageResponseTime: 0,
        currentActiveConversations: 0,
      },
      isActive: true,
      createdAt: new Date(BASE_TIME),
      updatedAt: new Date(BASE_TIME),
      version: 1,
    },
    overrides,
  );
}

export function fullAgentRecord(overrides?: Partial<AgentPrimitives>): AgentPrimitives {
  return agentRecord({
    role: 'supervisor',
    status: 'busy',
    avatar: 'https://cdn.example.com/avatars/ana.png',
    phone: '+5215511112222',
    department: 'Soporte',
    supervisorId: newId(),
    permissions: ['read:conversations', 'write:messages', 'assign:conversations', 'view:analytics'],
    preferences: {
      language: 'en',
      timezone: 'Europe/Madrid',
      notifications: { email: false, push: true, sound: false },
      autoAssignment: false,
    },
    statistics: {
      totalConversations: 40,
      resolvedConversations: 31,
      averageResponseTime: 3.5,
      currentActiveConversations: 2,
    },
    lastLogin: minutesAfterBase(10),
    lastActivity: minutesAfterBase(25),
    updatedAt: minutesAfterBase(25),
    version: 4,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// Customers

export function customerRecord(overrides?: Partial<CustomerPrimitives>): CustomerPrimitives {
  const n = nextNumber();
  return withOverrides<CustomerPrimitives>(
    {
      id: newId(),
      phoneNumber: `+52155${digits(n, 8)}`,
      alternativePhones: [],
      tags: [],
      segment: 'new',
      source: 'whatsapp',
      customFields: {},
      preferences: { language: 'es', communicationHours: { start: '09:00', end: '18:00' } },
      status: 'active',
      isBlocked: false,
      statistics: { totalConversations: 0, totalMessages: 0, totalTickets: 0, averageResponseTime: 0 },
      createdAt: new Date(BASE_TIME),
      updatedAt: new Date(BASE_TIME),
      version: 1,
    },
    overrides,
  );
}

export function fullCustomerRecord(overrides?: Partial<CustomerPrimitives>): CustomerPrimitives {
  const n = nextNumber();
  return customerRecord({
    firstName: 'Lucia',
    lastName: 'Ramirez',
    email: `lucia.${n}@example.org`,
    avatar: 'https://cdn.example.com/customers/lucia.jpg',
    alternativePhones: ['+5215599998888', '+14155550123'],
    address: {
      street: 'Av. Reforma 222',
      city: 'Ciudad de Mexico',
      state: 'CDMX',
      country: 'México',
      postalCode: '06600',
      coordinates: { latitude: 19.4326, longitude: -99.1332 },
    },
    tags: ['vip', 'wholesale'],
    segment: 'vip',
    source: 'referral',
    customFields: { rfc: 'RAML800101XXX', plan: 'gold' },
    preferences: {
      language: 'en',
      communicationHours: { start: '08:30', end: '20:00' },
      preferredAgent: newId(),
    },
    status: 'vip',
    isBlocked: true,
    blockReason: 'Spam',
    notes: 'Prefers e-mail follow-ups',
    statistics: {
      totalConversations: 12,
      totalMessages: 340,
      totalTickets: 3,
      averageResponseTime: 7.2,
      satisfactionScore: 4.5,
      satisfactionCount: 6,
    },
    firstContact: minutesAfterBase(-50_000),
    lastInteraction: minutesAfterBase(-30),
    lastMessageAt: minutesAfterBase(-31),
    erasedAt: minutesAfterBase(5),
    updatedAt: minutesAfterBase(5),
    version: 7,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// Conversations

export function conversationRecord(overrides?: Partial<ConversationPrimitives>): ConversationPrimitives {
  return withOverrides<ConversationPrimitives>(
    {
      id: newId(),
      customerId: newId(),
      status: 'open',
      priority: 'medium',
      category: 'support',
      tags: [],
      isAIEnabled: true,
      aiModel: 'gpt-4',
      autoResponses: true,
      channel: 'whatsapp',
      messageCount: 0,
      unreadCount: 0,
      internalNotes: [],
      createdAt: new Date(BASE_TIME),
      updatedAt: new Date(BASE_TIME),
      version: 1,
    },
    overrides,
  );
}

export function fullConversationRecord(overrides?: Partial<ConversationPrimitives>): ConversationPrimitives {
  const agent = newId();
  return conversationRecord({
    assignedAgent: agent,
    assignedAt: minutesAfterBase(2),
    assignedBy: newId(),
    status: 'resolved',
    priority: 'high',
    category: 'billing',
    tags: ['invoice', 'refund'],
    isAIEnabled: false,
    aiModel: 'gpt-4o-mini',
    autoResponses: false,
    channel: 'web',
    source: 'landing-page',
    messageCount: 14,
    unreadCount: 1,
    lastMessage: { content: 'Gracias', timestamp: minutesAfterBase(40), from: 'customer', type: 'text' },
    firstResponseTime: 1.5,
    averageResponseTime: 2.3,
    responseCount: 6,
    lastAgentResponse: minutesAfterBase(39),
    lastCustomerMessage: minutesAfterBase(40),
    awaitingResponseSince: minutesAfterBase(40),
    resolvedAt: minutesAfterBase(45),
    resolvedBy: agent,
    resolutionNotes: 'Refund issued',
    customerSatisfaction: { rating: 5, comment: 'Excelente', submittedAt: minutesAfterBase(50) },
    internalNotes: [
      {
        id: newId(),
        agent,
        content: 'Checked the invoice',
        timestamp: minutesAfterBase(10),
        isVisible: false,
      },
      { id: newId(), agent, content: 'Refund approved', timestamp: minutesAfterBase(30), isVisible: true },
    ],
    whatsappData: { phoneNumberId: '106540352242922', businessAccountId: '102290129340398' },
    failedDeliveries: 2,
    escalated: true,
    escalatedTo: newId(),
    escalatedAt: minutesAfterBase(20),
    updatedAt: minutesAfterBase(50),
    closedAt: minutesAfterBase(60),
    version: 9,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// Messages

export function messageRecord(overrides?: Partial<MessagePrimitives>): MessagePrimitives {
  return withOverrides<MessagePrimitives>(
    {
      id: newId(),
      conversationId: newId(),
      customerId: newId(),
      content: 'Hola, necesito ayuda con mi pedido',
      type: 'text',
      direction: 'inbound',
      sender: 'customer',
      status: 'pending',
      attachments: [],
      aiProcessed: false,
      isForwarded: false,
      timestamp: new Date(BASE_TIME),
      createdAt: new Date(BASE_TIME),
    },
    overrides,
  );
}

export function fullMessageRecord(overrides?: Partial<MessagePrimitives>): MessagePrimitives {
  return messageRecord({
    content: 'Aquí está la factura',
    type: 'document',
    direction: 'outbound',
    sender: 'agent',
    agentId: newId(),
    whatsappMessageId: `wamid.${randomBytes(16).toString('hex')}`,
    whatsappStatus: 'delivered',
    whatsappTimestamp: minutesAfterBase(1),
    whatsappError: 'Message undeliverable',
    whatsappErrorCode: 131026,
    status: 'delivered',
    attachments: [
      {
        type: 'document',
        url: 'https://cdn.example.com/f.pdf',
        publicId: 'crm/f',
        filename: 'factura.pdf',
        mimeType: 'application/pdf',
        size: 48_213,
        thumbnailUrl: 'https://cdn.example.com/f.png',
        duration: 0,
        whatsappMediaId: '1234567890',
        storage: 'stored',
        attempts: 1,
        error: 'the first download timed out',
      },
    ],
    location: { latitude: 19.43, longitude: -99.13, address: 'Zócalo', name: 'Centro' },
    template: { name: 'order_update', language: 'es_MX', parameters: ['A-1', 'mañana'], category: 'UTILITY' },
    interactive: {
      type: 'button',
      body: '¿Te ayudó?',
      buttons: [{ id: 'yes', title: 'Sí', payload: 'YES' }],
      listItems: [{ id: 'r1', title: 'Row', description: 'A row' }],
      replyId: 'yes',
    },
    contacts: [{ name: 'Pedro', phones: ['+5215512340000'] }],
    reaction: { emoji: '👍', messageId: newId(), whatsappMessageId: 'wamid.reacted' },
    aiProcessed: true,
    aiResponse: { confidence: 0.92, intent: 'billing', entities: ['invoice'], sentiment: 'positive' },
    replyTo: newId(),
    replyToWhatsappId: 'wamid.previous',
    isForwarded: true,
    forwardedFrom: '+5215500001111',
    idempotencyKey: `idem-${randomBytes(6).toString('hex')}`,
    sendAttempts: 2,
    nextAttemptAt: minutesAfterBase(3),
    leaseUntil: minutesAfterBase(4),
    readAt: minutesAfterBase(6),
    deliveredAt: minutesAfterBase(5),
    sentAt: minutesAfterBase(2),
    failedAt: minutesAfterBase(7),
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// Tickets

export function ticketRecord(overrides?: Partial<TicketPrimitives>): TicketPrimitives {
  const n = nextNumber();
  return withOverrides<TicketPrimitives>(
    {
      id: newId(),
      ticketId: `TICKET-2025-${digits(n, 6)}`,
      customerId: newId(),
      subject: 'No puedo iniciar sesión',
      description: 'La app muestra un error al iniciar sesión desde ayer.',
      category: 'technical_support',
      priority: 'medium',
      status: 'open',
      slaLevel: 'standard',
      attachments: [],
      notes: [],
      tags: [],
      labels: [],
      escalated: false,
      relatedTickets: [],
      createdAt: new Date(BASE_TIME),
      updatedAt: new Date(BASE_TIME),
      lastActivityAt: new Date(BASE_TIME),
      version: 1,
    },
    overrides,
  );
}

export function fullTicketRecord(overrides?: Partial<TicketPrimitives>): TicketPrimitives {
  const agent = newId();
  return ticketRecord({
    conversationId: newId(),
    assignedAgent: agent,
    category: 'billing',
    subcategory: 'refunds',
    priority: 'urgent',
    status: 'resolved',
    slaLevel: 'vip',
    estimatedResolution: minutesAfterBase(240),
    firstResponseTime: 12,
    firstResponseAt: minutesAfterBase(12),
    resolutionTime: 95,
    slaPausedMinutes: 30,
    waitingCustomerSince: minutesAfterBase(40),
    attachments: [
      {
        type: 'image',
        url: 'https://cdn.example.com/t.png',
        publicId: 'crm/t',
        filename: 't.png',
        size: 1024,
        uploadedBy: agent,
        uploadedAt: minutesAfterBase(15),
      },
    ],
    location: {
      latitude: 20.67,
      longitude: -103.35,
      address: 'Calle 1',
      formattedAddress: 'Calle 1, Guadalajara',
      isServiceLocation: true,
    },
    resolution: {
      summary: 'Refunded',
      steps: ['Verified charge', 'Issued refund'],
      resolvedBy: agent,
      resolvedAt: minutesAfterBase(95),
      resolutionCategory: 'solved',
    },
    customerFeedback: {
      rating: 4,
      comment: 'Bien',
      submittedAt: minutesAfterBase(120),
      followUpNeeded: true,
    },
    notes: [
      {
        id: newId(),
        agent,
        content: 'Called the bank',
        isInternal: true,
        timestamp: minutesAfterBase(20),
        attachments: ['https://cdn.example.com/n.pdf'],
      },
    ],
    tags: ['refund', 'card'],
    labels: [{ name: 'finance', color: '#ff0000' }],
    escalated: true,
    escalatedTo: newId(),
    escalatedAt: minutesAfterBase(60),
    escalationReason: 'SLA breached',
    relatedTickets: [newId(), newId()],
    parentTicket: newId(),
    externalId: 'JIRA-123',
    externalUrl: 'https://jira.example.com/browse/JIRA-123',
    updatedAt: minutesAfterBase(120),
    closedAt: minutesAfterBase(130),
    lastActivityAt: minutesAfterBase(120),
    version: 5,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// Settings, activity, threads, sessions

export function settingRecord(overrides?: Partial<SystemSettingPrimitives>): SystemSettingPrimitives {
  const n = nextNumber();
  return withOverrides<SystemSettingPrimitives>(
    {
      id: newId(),
      key: `test.setting_${n}`,
      value: 'on',
      category: 'general',
      isEditable: true,
      createdAt: new Date(BASE_TIME),
      updatedAt: new Date(BASE_TIME),
    },
    overrides,
  );
}

export function fullSettingRecord(overrides?: Partial<SystemSettingPrimitives>): SystemSettingPrimitives {
  return settingRecord({
    value: { hours: { start: '09:00', end: '18:00' }, days: [1, 2, 3, 4, 5], enabled: true, note: null },
    description: 'Business hours',
    category: 'business',
    isEditable: false,
    updatedBy: newId(),
    updatedAt: minutesAfterBase(30),
    ...overrides,
  });
}

export function activityRecord(overrides?: Partial<ActivityLogPrimitives>): ActivityLogPrimitives {
  return withOverrides<ActivityLogPrimitives>(
    {
      id: newId(),
      entityType: 'conversation',
      entityId: newId(),
      action: 'updated',
      details: { changes: ['priority'] },
      timestamp: new Date(BASE_TIME),
    },
    overrides,
  );
}

export function fullActivityRecord(overrides?: Partial<ActivityLogPrimitives>): ActivityLogPrimitives {
  return activityRecord({
    entityType: 'ticket',
    action: 'escalated',
    performedBy: newId(),
    details: {
      before: { status: 'open', priority: 'medium', tags: ['a'] },
      after: { status: 'in_progress', priority: 'urgent', tags: ['a', 'b'] },
      changes: ['status', 'priority', 'tags'],
      reason: 'Customer called twice',
    },
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    ...overrides,
  });
}

export function threadRecord(
  overrides?: Partial<ConversationThreadPrimitives>,
): ConversationThreadPrimitives {
  return withOverrides<ConversationThreadPrimitives>(
    {
      id: newId(),
      conversationId: newId(),
      customerId: newId(),
      userId: `+52155${digits(nextNumber(), 8)}`,
      threadId: `conv_${randomBytes(12).toString('hex')}`,
      messageCount: 0,
      isActive: true,
      createdAt: new Date(BASE_TIME),
      updatedAt: new Date(BASE_TIME),
    },
    overrides,
  );
}

export function fullThreadRecord(
  overrides?: Partial<ConversationThreadPrimitives>,
): ConversationThreadPrimitives {
  return threadRecord({
    messageCount: 17,
    lastInteraction: minutesAfterBase(30),
    lastCleanup: minutesAfterBase(-1440),
    updatedAt: minutesAfterBase(30),
    ...overrides,
  });
}

export function sessionRecord(overrides?: Partial<SessionRecord>): SessionRecord {
  return withOverrides<SessionRecord>(
    {
      tokenHash: createHash('sha256').update(randomBytes(32)).digest('hex'),
      agentId: newId(),
      createdAt: new Date(BASE_TIME),
      expiresAt: minutesAfterBase(8 * 60),
    },
    overrides,
  );
}

export function fullSessionRecord(overrides?: Partial<SessionRecord>): SessionRecord {
  return sessionRecord({ ipAddress: '198.51.100.23', userAgent: 'Mozilla/5.0 (Macintosh)', ...overrides });
}
