import { describe, expect, it } from 'vitest';
import { Conversation, toLastMessageType } from '../../../../src/domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../../../src/domain/conversation/conversation.types.js';
import { MESSAGE_TYPES, type MessageType } from '../../../../src/domain/message/message.types.js';
import { DuplicateError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { aConversation, minutesAfter, T0, testId } from '../../../support/builders/conversation.js';

const NOW = minutesAfter(30);

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('Conversation.open', () => {
  it("applies the seed's defaults", () => {
    const id = testId();
    const customerId = testId();
    const c = Conversation.open({ customerId }, { id, now: T0 });
    expect(c.toPrimitives()).toEqual({
      id,
      customerId,
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
      createdAt: T0,
      updatedAt: T0,
      version: 0,
    } satisfies ConversationPrimitives);
    expect(c.responseCount).toBe(0);
    expect(c.failedDeliveries).toBe(0);
    expect(c.escalated).toBe(false);
  });

  it('takes the optional settings', () => {
    const c = Conversation.open(
      {
        customerId: testId(),
        channel: 'web',
        source: 'landing',
        priority: 'high',
        category: 'billing',
        aiModel: 'gpt-4o-mini',
        whatsappData: { phoneNumberId: '123' },
        isAIEnabled: false,
        autoResponses: false,
      },
      { id: testId(), now: T0 },
    );
    expect(c.toPrimitives()).toMatchObject({
      channel: 'web',
      source: 'landing',
      priority: 'high',
      category: 'billing',
      aiModel: 'gpt-4o-mini',
      whatsappData: { phoneNumberId: '123' },
      isAIEnabled: false,
      autoResponses: false,
    });
  });

  it('records conversation.created with conversationId, customerId and assignedAgent', () => {
    const c = Conversation.open({ customerId: testId() }, { id: testId(), now: T0 });
    const events = c.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      type: 'conversation.created',
      occurredAt: T0,
      payload: expect.objectContaining({
        conversationId: c.id,
        customerId: c.customerId,
        assignedAgent: undefined,
        status: 'open',
      }),
    });
    expect(Object.hasOwn(events[0]?.payload ?? {}, 'assignedAgent')).toBe(true);
    expect(c.pullEvents()).toEqual([]);
  });

  it.each([
    ['customerId', { customerId: 'not-an-id' }],
    ['priority', { priority: 'critical' }],
    ['category', { category: 'gossip' }],
    ['channel', { channel: 'telegram' }],
    ['aiModel', { aiModel: '   ' }],
    ['source', { source: 'x'.repeat(201) }],
    ['isAIEnabled', { isAIEnabled: 'yes' }],
  ])('refuses a bad %s with a ValidationError naming the field', (field, patch) => {
    const error = catchError(() =>
      Conversation.open({ customerId: testId(), ...patch } as never, { id: testId(), now: T0 }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field, kind: 'validation' });
  });

  it('refuses a bad id', () => {
    expect(() => Conversation.open({ customerId: testId() }, { id: 'x', now: T0 })).toThrowError(
      expect.objectContaining({ field: 'id' }),
    );
  });

  it('create is an alias of open', () => {
    const c = Conversation.create({ customerId: testId() }, { id: testId(), now: T0 });
    expect(c.status).toBe('open');
  });
});

describe('Conversation.fromPrimitives / toPrimitives', () => {
  it('round-trips every field', () => {
    const agent = testId();
    const p: ConversationPrimitives = {
      ...aConversation().assignedTo(agent).withStatus('resolved').buildPrimitives(),
      tags: ['vip'],
      lastMessage: { content: 'Gracias', timestamp: minutesAfter(5), from: 'customer', type: 'text' },
      firstResponseTime: 1.5,
      averageResponseTime: 2,
      responseCount: 3,
      customerSatisfaction: { rating: 5, comment: 'ok', submittedAt: minutesAfter(9) },
      internalNotes: [{ id: testId(), agent, content: 'n', timestamp: minutesAfter(2), isVisible: true }],
      failedDeliveries: 2,
      escalated: true,
      escalatedTo: testId(),
      escalatedAt: minutesAfter(3),
      version: 7,
    };
    expect(Conversation.fromPrimitives(p).toPrimitives()).toEqual(p);
  });

  it('toPrimitives is a deep copy', () => {
    const c = aConversation().withTags('a').build();
    const p = c.toPrimitives();
    p.tags.push('b');
    p.createdAt.setTime(0);
    expect(c.tags).toEqual(['a']);
    expect(c.createdAt).toEqual(T0);
  });

  it('fromPrimitives copies its input (later changes to the input do not leak in)', () => {
    const p = aConversation().withTags('a').buildPrimitives();
    const c = Conversation.fromPrimitives(p);
    p.tags.push('b');
    expect(c.tags).toEqual(['a']);
  });

  it('getters return copies', () => {
    const c = aConversation().assignedTo(testId()).build();
    c.assignedAt?.setTime(0);
    c.tags.push('x');
    expect(c.assignedAt).toEqual(T0);
    expect(c.tags).toEqual([]);
  });

  it.each([
    ['status', { status: 'archived' }],
    ['priority', { priority: 'critical' }],
    ['category', { category: 'gossip' }],
    ['channel', { channel: 'sms' }],
    ['lastMessage.from', { lastMessage: { content: 'x', timestamp: T0, from: 'bot', type: 'text' } }],
    ['lastMessage.type', { lastMessage: { content: 'x', timestamp: T0, from: 'agent', type: 'audio' } }],
    ['customerSatisfaction.rating', { customerSatisfaction: { rating: 9, submittedAt: T0 } }],
    ['id', { id: 'abc' }],
    ['customerId', { customerId: 123 }],
    ['assignedAgent', { assignedAgent: 'someone' }],
  ])('rejects a bad %s with a ValidationError naming it', (field, patch) => {
    const p = { ...aConversation().buildPrimitives(), ...patch } as unknown as ConversationPrimitives;
    const error = catchError(() => Conversation.fromPrimitives(p));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field });
  });

  it('tolerates legacy gaps: missing arrays/counters get defaults, null optional fields disappear', () => {
    const p = {
      ...aConversation().buildPrimitives(),
      tags: undefined,
      internalNotes: undefined,
      messageCount: undefined,
      assignedAgent: null,
    } as unknown as ConversationPrimitives;
    const c = Conversation.fromPrimitives(p);
    expect(c.tags).toEqual([]);
    expect(c.internalNotes).toEqual([]);
    expect(c.messageCount).toBe(0);
    expect('assignedAgent' in c.toPrimitives()).toBe(false);
  });
});

describe('Conversation attributes', () => {
  it('changePriority records conversation.updated with from/to; same priority is a no-op', () => {
    const c = aConversation().build();
    c.changePriority('high', NOW);
    expect(c.priority).toBe('high');
    expect(c.updatedAt).toEqual(NOW);
    expect(c.pullEvents()[0]).toMatchObject({
      type: 'conversation.updated',
      payload: { conversationId: c.id, changes: { priority: { from: 'medium', to: 'high' } } },
    });
    c.changePriority('high', minutesAfter(40));
    expect(c.updatedAt).toEqual(NOW);
    expect(c.pullEvents()).toEqual([]);
  });

  it('changePriority rejects an unknown priority', () => {
    expect(() =>
      aConversation()
        .build()
        .changePriority('critical' as never, NOW),
    ).toThrowError(expect.objectContaining({ field: 'priority' }));
  });

  it.each([
    ['low', 'medium'],
    ['medium', 'high'],
    ['high', 'urgent'],
    ['urgent', 'urgent'],
  ] as const)('raisePriority: %s → %s', (from, to) => {
    const c = aConversation().withPriority(from).build();
    expect(c.raisePriority(NOW)).toBe(to);
    expect(c.priority).toBe(to);
    expect(c.pullEvents()).toHaveLength(from === to ? 0 : 1);
  });

  it('raisePriority three times from low reaches urgent and stays there', () => {
    const c = aConversation().withPriority('low').build();
    c.raisePriority(NOW);
    c.raisePriority(NOW);
    c.raisePriority(NOW);
    c.raisePriority(NOW);
    expect(c.priority).toBe('urgent');
  });

  it('changeCategory validates and records', () => {
    const c = aConversation().build();
    c.changeCategory('billing', NOW);
    expect(c.category).toBe('billing');
    expect(() => c.changeCategory('gossip' as never, NOW)).toThrowError(
      expect.objectContaining({ field: 'category' }),
    );
  });

  it('setTags trims, drops blanks and duplicates; identical tags are a no-op', () => {
    const c = aConversation().build();
    c.setTags([' vip ', 'refund', '', 'vip', '  '], NOW);
    expect(c.tags).toEqual(['vip', 'refund']);
    expect(c.pullEvents()).toHaveLength(1);
    c.setTags(['vip', 'refund'], NOW);
    expect(c.pullEvents()).toEqual([]);
  });

  it('setTags refuses a tag over 50 characters and more than 30 tags', () => {
    const c = aConversation().build();
    expect(() => c.setTags(['x'.repeat(51)], NOW)).toThrowError(expect.objectContaining({ field: 'tags' }));
    const many = Array.from({ length: 31 }, (_, i) => `t${i}`);
    expect(() => c.setTags(many, NOW)).toThrowError(expect.objectContaining({ field: 'tags' }));
  });

  it('setAIEnabled / setAutoResponses toggle and record', () => {
    const c = aConversation().build();
    c.setAIEnabled(false, NOW);
    c.setAutoResponses(false, NOW);
    expect(c.isAIEnabled).toBe(false);
    expect(c.autoResponses).toBe(false);
    expect(c.pullEvents().map((e) => e.payload.changes)).toEqual([
      { isAIEnabled: { from: true, to: false } },
      { autoResponses: { from: true, to: false } },
    ]);
  });
});

describe('Conversation internal notes', () => {
  it('adds a note (isVisible defaults to false) and records it', () => {
    const c = aConversation().build();
    const id = testId();
    const agent = testId();
    const note = c.addInternalNote({ id, agent, content: 'Checked the invoice' }, NOW);
    expect(note).toEqual({ id, agent, content: 'Checked the invoice', timestamp: NOW, isVisible: false });
    expect(c.internalNotes).toEqual([note]);
    expect(c.pullEvents()[0]).toMatchObject({ type: 'conversation.updated', payload: { noteId: id } });
  });

  it('keeps isVisible when given', () => {
    const c = aConversation().build();
    expect(
      c.addInternalNote({ id: testId(), agent: testId(), content: 'x', isVisible: true }, NOW).isVisible,
    ).toBe(true);
  });

  it('refuses empty content and content over 5000 characters, naming the field', () => {
    const c = aConversation().build();
    for (const content of ['', '   ', 'x'.repeat(5001)]) {
      expect(() => c.addInternalNote({ id: testId(), agent: testId(), content }, NOW)).toThrowError(
        expect.objectContaining({ field: 'internalNote.content' }),
      );
    }
    expect(
      c.addInternalNote({ id: testId(), agent: testId(), content: 'x'.repeat(5000) }, NOW),
    ).toBeDefined();
  });

  it('refuses a note id already used', () => {
    const c = aConversation().build();
    const id = testId();
    c.addInternalNote({ id, agent: testId(), content: 'a' }, NOW);
    expect(() => c.addInternalNote({ id, agent: testId(), content: 'b' }, NOW)).toThrowError(DuplicateError);
  });

  it('validates the note and agent ids', () => {
    const c = aConversation().build();
    expect(() => c.addInternalNote({ id: 'x', agent: testId(), content: 'a' }, NOW)).toThrowError(
      expect.objectContaining({ field: 'internalNote.id' }),
    );
    expect(() => c.addInternalNote({ id: testId(), agent: 'x', content: 'a' }, NOW)).toThrowError(
      expect.objectContaining({ field: 'internalNote.agent' }),
    );
  });
});

describe('Conversation satisfaction', () => {
  it('records rating, trimmed comment and submittedAt when resolved', () => {
    const c = aConversation().withStatus('resolved').build();
    c.recordSatisfaction(4, '  good  ', NOW);
    expect(c.customerSatisfaction).toEqual({ rating: 4, comment: 'good', submittedAt: NOW });
    expect(c.pullEvents()[0]?.type).toBe('conversation.updated');
  });

  it('omits an empty comment', () => {
    const c = aConversation().withStatus('resolved').build();
    c.recordSatisfaction(3, undefined, NOW);
    expect(c.customerSatisfaction).toEqual({ rating: 3, submittedAt: NOW });
  });

  it.each(['open', 'assigned', 'waiting'] as const)(
    'is refused while %s (CONVERSATION.NOT_RESOLVED)',
    (status) => {
      const c = aConversation().withStatus(status).build();
      expect(() => c.recordSatisfaction(5, undefined, NOW)).toThrowError(
        expect.objectContaining({ code: 'CONVERSATION.NOT_RESOLVED' }),
      );
    },
  );

  it.each([0, 6, 3.5, Number.NaN, -1])(
    'rating %s is a ValidationError on customerSatisfaction.rating',
    (rating) => {
      const c = aConversation().withStatus('resolved').build();
      const error = catchError(() => c.recordSatisfaction(rating, undefined, NOW));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field: 'customerSatisfaction.rating' });
      expect(c.customerSatisfaction).toBeUndefined();
    },
  );

  it.each([1, 5])('rating %s is accepted', (rating) => {
    const c = aConversation().withStatus('closed').build();
    c.recordSatisfaction(rating, undefined, NOW);
    expect(c.customerSatisfaction?.rating).toBe(rating);
  });

  it('refuses a comment over 2000 characters', () => {
    const c = aConversation().withStatus('resolved').build();
    expect(() => c.recordSatisfaction(5, 'x'.repeat(2001), NOW)).toThrowError(
      expect.objectContaining({ field: 'customerSatisfaction.comment' }),
    );
  });
});

describe('Conversation failed deliveries and escalation', () => {
  it('counts failed deliveries and resets the streak', () => {
    const c = aConversation().build();
    expect(c.recordFailedDelivery(NOW)).toBe(1);
    expect(c.recordFailedDelivery(NOW)).toBe(2);
    expect(c.failedDeliveries).toBe(2);
    expect(c.toPrimitives().failedDeliveries).toBe(2);
    c.pullEvents();
    c.resetFailedDeliveries(NOW);
    expect(c.failedDeliveries).toBe(0);
    expect(c.pullEvents()).toHaveLength(1);
    c.resetFailedDeliveries(NOW);
    expect(c.pullEvents()).toEqual([]);
  });

  it('markEscalated sets escalated, escalatedTo, escalatedAt; same target again is a no-op', () => {
    const supervisor = testId();
    const c = aConversation().build();
    c.markEscalated(supervisor, NOW);
    expect(c.escalated).toBe(true);
    expect(c.escalatedTo).toBe(supervisor);
    expect(c.escalatedAt).toEqual(NOW);
    expect(c.pullEvents()[0]?.payload).toMatchObject({ escalatedTo: supervisor, conversationId: c.id });
    c.markEscalated(supervisor, minutesAfter(90));
    expect(c.escalatedAt).toEqual(NOW);
    expect(c.pullEvents()).toEqual([]);
    expect(() => c.markEscalated('x', NOW)).toThrowError(expect.objectContaining({ field: 'escalatedTo' }));
  });
});

describe('toLastMessageType', () => {
  it.each([
    ['text', 'text'],
    ['image', 'image'],
    ['sticker', 'image'],
    ['video', 'image'],
    ['audio', 'document'],
    ['document', 'document'],
    ['location', 'location'],
    ['template', 'template'],
    ['interactive', 'text'],
    ['button', 'text'],
    ['reaction', 'text'],
    ['contact', 'text'],
    ['unsupported', 'text'],
  ] as const)('%s → %s', (type, expected) => {
    expect(toLastMessageType(type)).toBe(expected);
  });

  it('covers every message type', () => {
    for (const type of MESSAGE_TYPES) {
      expect(toLastMessageType(type as MessageType)).toMatch(/^(text|image|location|document|template)$/);
    }
  });
});
