import { describe, expect, it } from 'vitest';
import { Message, type NewOutboundMessage, retryBackoffMs } from '../../../../src/domain/message/message.js';
import type { MessagePrimitives } from '../../../../src/domain/message/message.types.js';
import { ValidationError } from '../../../../src/domain/shared/errors.js';
import { minutesAfter, T0, testId } from '../../../support/builders/conversation.js';
import { aMessage } from '../../../support/builders/message.js';

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const ctx = () => ({ id: testId(), now: T0 });
const image = { type: 'image' as const, url: 'https://cdn.example.com/a.jpg', filename: 'a.jpg' };

function outbound(patch: Partial<NewOutboundMessage>): NewOutboundMessage {
  return {
    conversationId: testId(),
    customerId: testId(),
    sender: 'agent',
    agentId: testId(),
    content: 'Hola',
    type: 'text',
    ...patch,
  };
}

describe('Message.inbound', () => {
  it('is a delivered customer message, not AI-processed, with its WhatsApp data', () => {
    const conversationId = testId();
    const customerId = testId();
    const id = testId();
    const waTime = minutesAfter(-1);
    const m = Message.inbound(
      {
        conversationId,
        customerId,
        content: 'Hola',
        type: 'text',
        whatsappMessageId: 'wamid.IN',
        whatsappTimestamp: waTime,
        replyToWhatsappId: 'wamid.PREV',
        isForwarded: true,
        forwardedFrom: 'someone',
      },
      { id, now: T0 },
    );
    expect(m.toPrimitives()).toEqual({
      id,
      conversationId,
      customerId,
      content: 'Hola',
      type: 'text',
      direction: 'inbound',
      sender: 'customer',
      whatsappMessageId: 'wamid.IN',
      whatsappStatus: 'delivered',
      whatsappTimestamp: waTime,
      status: 'delivered',
      attachments: [],
      aiProcessed: false,
      replyToWhatsappId: 'wamid.PREV',
      isForwarded: true,
      forwardedFrom: 'someone',
      timestamp: waTime,
      deliveredAt: T0,
      createdAt: T0,
    } satisfies MessagePrimitives);
  });

  it('uses now as timestamp without a WhatsApp timestamp; isForwarded defaults to false', () => {
    const m = Message.inbound(
      { conversationId: testId(), customerId: testId(), content: 'x', type: 'text' },
      ctx(),
    );
    expect(m.timestamp).toEqual(T0);
    expect(m.isForwarded).toBe(false);
  });

  it('records message.received with the ids and the assigned agent from the context', () => {
    const agent = testId();
    const m = Message.inbound(
      { conversationId: testId(), customerId: testId(), content: 'x', type: 'text' },
      { ...ctx(), assignedAgent: agent },
    );
    expect(m.pullEvents()).toEqual([
      {
        type: 'message.received',
        occurredAt: T0,
        payload: expect.objectContaining({
          messageId: m.id,
          conversationId: m.conversationId,
          customerId: m.customerId,
          assignedAgent: agent,
        }),
      },
    ]);
  });

  it('never refuses an empty content: a summary is stored', () => {
    const base = { conversationId: testId(), customerId: testId(), content: '' };
    expect(Message.inbound({ ...base, type: 'image', attachments: [image] }, ctx()).content).toBe(
      '[image a.jpg]',
    );
    expect(Message.inbound({ ...base, type: 'sticker' }, ctx()).content).toBe('[sticker]');
    expect(
      Message.inbound(
        { ...base, type: 'location', location: { latitude: 19.4, longitude: -99.1, name: 'Office' } },
        ctx(),
      ).content,
    ).toBe('[location Office]');
    expect(
      Message.inbound(
        { ...base, type: 'reaction', reaction: { emoji: '👍', whatsappMessageId: 'wamid.X' } },
        ctx(),
      ).content,
    ).toBe('[reaction 👍]');
    expect(
      Message.inbound(
        { ...base, type: 'contact', contacts: [{ name: 'Ana', phones: ['+5215512345678'] }] },
        ctx(),
      ).content,
    ).toBe('[contact Ana]');
    expect(Message.inbound({ ...base, type: 'unsupported' }, ctx()).content).toBe('[unsupported message]');
  });

  it('does not refuse a long customer text', () => {
    const m = Message.inbound(
      { conversationId: testId(), customerId: testId(), content: 'x'.repeat(5000), type: 'text' },
      ctx(),
    );
    expect(m.content).toHaveLength(5000);
  });

  it.each([
    ['type', { type: 'gif' }],
    ['conversationId', { conversationId: 'x' }],
    ['customerId', { customerId: 'x' }],
    ['attachments.0.type', { attachments: [{ type: 'gif' }] }],
    ['interactive.type', { interactive: { type: 'carousel' } }],
  ])('refuses a bad %s', (field, patch) => {
    const error = catchError(() =>
      Message.inbound(
        { conversationId: testId(), customerId: testId(), content: 'x', type: 'text', ...patch } as never,
        ctx(),
      ),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field });
  });
});

describe('Message.outbound', () => {
  it('is pending with sendAttempts 0 and nextAttemptAt now; records message.sent', () => {
    const input = outbound({ idempotencyKey: 'k-1', replyTo: testId() });
    const { id } = ctx();
    const m = Message.outbound(input, { id, now: T0 });
    expect(m.toPrimitives()).toEqual({
      id,
      conversationId: input.conversationId,
      customerId: input.customerId,
      content: 'Hola',
      type: 'text',
      direction: 'outbound',
      sender: 'agent',
      agentId: input.agentId,
      status: 'pending',
      attachments: [],
      aiProcessed: false,
      replyTo: input.replyTo,
      isForwarded: false,
      idempotencyKey: 'k-1',
      sendAttempts: 0,
      nextAttemptAt: T0,
      timestamp: T0,
      createdAt: T0,
    } satisfies MessagePrimitives);
    expect(m.pullEvents()[0]).toMatchObject({
      type: 'message.sent',
      payload: { messageId: id, conversationId: input.conversationId, customerId: input.customerId },
    });
  });

  it('ai and system senders need no agent id', () => {
    expect(Message.outbound(outbound({ sender: 'ai', agentId: undefined }), ctx()).sender).toBe('ai');
    expect(Message.outbound(outbound({ sender: 'system', agentId: undefined }), ctx()).sender).toBe('system');
  });

  it('an agent message needs an agent id', () => {
    expect(() => Message.outbound(outbound({ agentId: undefined }), ctx())).toThrowError(
      expect.objectContaining({ field: 'agentId' }),
    );
  });

  it('content is required (non-blank) for text', () => {
    for (const content of ['', '   \n']) {
      expect(() => Message.outbound(outbound({ content }), ctx())).toThrowError(
        expect.objectContaining({ field: 'content', code: 'VALIDATION.REQUIRED' }),
      );
    }
  });

  it('content up to 4096 characters; 4097 is a ValidationError on content', () => {
    expect(Message.outbound(outbound({ content: 'x'.repeat(4096) }), ctx()).content).toHaveLength(4096);
    expect(() => Message.outbound(outbound({ content: 'x'.repeat(4097) }), ctx())).toThrowError(
      expect.objectContaining({ field: 'content', code: 'VALIDATION.TOO_LONG' }),
    );
  });

  it('a media caption is limited to 1024 characters', () => {
    expect(() =>
      Message.outbound(outbound({ type: 'image', attachments: [image], content: 'x'.repeat(1025) }), ctx()),
    ).toThrowError(expect.objectContaining({ field: 'content' }));
    expect(
      Message.outbound(outbound({ type: 'image', attachments: [image], content: 'x'.repeat(1024) }), ctx())
        .content,
    ).toHaveLength(1024);
  });

  it.each([
    ['gif', 'type'],
    ['button', 'type'],
    ['unsupported', 'type'],
  ])('refuses type %s', (type, field) => {
    expect(() => Message.outbound(outbound({ type: type as never }), ctx())).toThrowError(
      expect.objectContaining({ field }),
    );
  });

  it('refuses a customer sender', () => {
    expect(() => Message.outbound(outbound({ sender: 'customer' as never }), ctx())).toThrowError(
      expect.objectContaining({ field: 'sender' }),
    );
  });

  describe('templates', () => {
    it('generates a summary content and keeps the template', () => {
      const m = Message.outbound(
        outbound({ type: 'template', content: '', template: { name: 'welcome', language: 'es_MX' } }),
        ctx(),
      );
      expect(m.content).toBe('[template welcome]');
      expect(m.template).toEqual({ name: 'welcome', language: 'es_MX', parameters: [] });
    });

    it('keeps an explicit content (rendered text)', () => {
      const m = Message.outbound(
        outbound({
          type: 'template',
          content: 'Hola Ana',
          template: { name: 'welcome', language: 'es', parameters: ['Ana'] },
        }),
        ctx(),
      );
      expect(m.content).toBe('Hola Ana');
      expect(m.template?.parameters).toEqual(['Ana']);
    });

    it.each([
      ['template', undefined],
      ['template.name', { name: ' ', language: 'es' }],
      ['template.language', { name: 'welcome', language: '' }],
    ])('refuses a missing %s', (field, template) => {
      expect(() =>
        Message.outbound(outbound({ type: 'template', content: '', template }), ctx()),
      ).toThrowError(expect.objectContaining({ field }));
    });
  });

  describe('media', () => {
    it('generates a summary without caption', () => {
      expect(
        Message.outbound(outbound({ type: 'image', content: '', attachments: [image] }), ctx()).content,
      ).toBe('[image a.jpg]');
      expect(
        Message.outbound(
          outbound({ type: 'audio', content: '', attachments: [{ type: 'audio', whatsappMediaId: '123' }] }),
          ctx(),
        ).content,
      ).toBe('[audio]');
    });

    it('needs an attachment with a url or a media id', () => {
      expect(() => Message.outbound(outbound({ type: 'document', content: '' }), ctx())).toThrowError(
        expect.objectContaining({ field: 'attachments' }),
      );
      expect(() =>
        Message.outbound(
          outbound({ type: 'document', content: '', attachments: [{ type: 'document' }] }),
          ctx(),
        ),
      ).toThrowError(expect.objectContaining({ field: 'attachments.0.url' }));
    });
  });

  describe('location', () => {
    it.each([
      [90, 180],
      [-90, -180],
      [0, 0],
    ])('accepts %s, %s', (latitude, longitude) => {
      const m = Message.outbound(
        outbound({ type: 'location', content: '', location: { latitude, longitude } }),
        ctx(),
      );
      expect(m.location).toEqual({ latitude, longitude });
      expect(m.content).toBe(`[location ${latitude},${longitude}]`);
    });

    it.each([
      ['location.latitude', 90.0001, 0],
      ['location.latitude', -91, 0],
      ['location.latitude', Number.NaN, 0],
      ['location.longitude', 0, 180.5],
      ['location.longitude', 0, -181],
    ])('refuses %s out of range (%s, %s)', (field, latitude, longitude) => {
      expect(() =>
        Message.outbound(
          outbound({ type: 'location', content: '', location: { latitude, longitude } }),
          ctx(),
        ),
      ).toThrowError(expect.objectContaining({ field, code: 'VALIDATION.OUT_OF_RANGE' }));
    });

    it('requires the location', () => {
      expect(() => Message.outbound(outbound({ type: 'location', content: '' }), ctx())).toThrowError(
        expect.objectContaining({ field: 'location' }),
      );
    });
  });

  describe('interactive', () => {
    const buttons = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `Option ${i}` }));

    it.each([1, 2, 3])('accepts %s buttons', (n) => {
      const m = Message.outbound(
        outbound({
          type: 'interactive',
          content: '¿Algo más?',
          interactive: { type: 'button', buttons: buttons(n) },
        }),
        ctx(),
      );
      expect(m.interactive?.buttons).toHaveLength(n);
    });

    it.each([0, 4])('refuses %s buttons', (n) => {
      expect(() =>
        Message.outbound(
          outbound({
            type: 'interactive',
            content: '¿Algo más?',
            interactive: { type: 'button', buttons: buttons(n) },
          }),
          ctx(),
        ),
      ).toThrowError(expect.objectContaining({ field: 'interactive.buttons' }));
    });

    it('button titles: 20 characters ok, 21 refused; duplicate ids refused', () => {
      const make = (bs: { id: string; title: string }[]) =>
        Message.outbound(
          outbound({
            type: 'interactive',
            content: 'Body',
            interactive: { type: 'quick_reply', buttons: bs },
          }),
          ctx(),
        );
      expect(make([{ id: 'a', title: 'x'.repeat(20) }]).interactive?.buttons?.[0]?.title).toHaveLength(20);
      expect(() => make([{ id: 'a', title: 'x'.repeat(21) }])).toThrowError(
        expect.objectContaining({ field: 'interactive.buttons.0.title' }),
      );
      expect(() =>
        make([
          { id: 'a', title: 'Yes' },
          { id: 'a', title: 'No' },
        ]),
      ).toThrowError(expect.objectContaining({ field: 'interactive.buttons.1.id' }));
    });

    it('list: up to 10 rows with titles ≤ 24; 11 rows or a 25-character title refused', () => {
      const rows = (n: number, title = 'Row') =>
        Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title }));
      const make = (listItems: { id: string; title: string }[]) =>
        Message.outbound(
          outbound({ type: 'interactive', content: 'Choose', interactive: { type: 'list', listItems } }),
          ctx(),
        );
      expect(make(rows(10)).interactive?.listItems).toHaveLength(10);
      expect(make(rows(1, 'x'.repeat(24)))).toBeDefined();
      expect(() => make(rows(11))).toThrowError(expect.objectContaining({ field: 'interactive.listItems' }));
      expect(() => make(rows(0))).toThrowError(expect.objectContaining({ field: 'interactive.listItems' }));
      expect(() => make(rows(2, 'x'.repeat(25)))).toThrowError(
        expect.objectContaining({ field: 'interactive.listItems.0.title' }),
      );
    });

    it('needs a body: content, or interactive.body standing in', () => {
      expect(() =>
        Message.outbound(
          outbound({
            type: 'interactive',
            content: '',
            interactive: { type: 'button', buttons: buttons(1) },
          }),
          ctx(),
        ),
      ).toThrowError(expect.objectContaining({ field: 'content' }));
      const m = Message.outbound(
        outbound({
          type: 'interactive',
          content: '',
          interactive: { type: 'button', body: 'Pick one', buttons: buttons(1) },
        }),
        ctx(),
      );
      expect(m.content).toBe('Pick one');
    });

    it('refuses an unknown interactive type and a missing interactive', () => {
      expect(() =>
        Message.outbound(
          outbound({ type: 'interactive', interactive: { type: 'carousel' as never } }),
          ctx(),
        ),
      ).toThrowError(expect.objectContaining({ field: 'interactive.type' }));
      expect(() => Message.outbound(outbound({ type: 'interactive' }), ctx())).toThrowError(
        expect.objectContaining({ field: 'interactive' }),
      );
    });
  });

  it('contact and reaction messages need their data', () => {
    expect(() => Message.outbound(outbound({ type: 'contact', content: '' }), ctx())).toThrowError(
      expect.objectContaining({ field: 'contacts' }),
    );
    expect(() => Message.outbound(outbound({ type: 'reaction', content: '' }), ctx())).toThrowError(
      expect.objectContaining({ field: 'reaction' }),
    );
    const r = Message.outbound(
      outbound({ type: 'reaction', content: '', reaction: { emoji: '❤️', whatsappMessageId: 'wamid.X' } }),
      ctx(),
    );
    expect(r.content).toBe('[reaction ❤️]');
  });

  it('refuses a bad idempotency key and replyTo', () => {
    expect(() => Message.outbound(outbound({ idempotencyKey: 'x'.repeat(201) }), ctx())).toThrowError(
      expect.objectContaining({ field: 'idempotencyKey' }),
    );
    expect(() => Message.outbound(outbound({ replyTo: 'nope' }), ctx())).toThrowError(
      expect.objectContaining({ field: 'replyTo' }),
    );
  });
});

describe('Message.fromPrimitives / toPrimitives', () => {
  it('round-trips', () => {
    const p = aMessage()
      .withStatus('read')
      .with({
        whatsappMessageId: 'wamid.X',
        sentAt: minutesAfter(1),
        deliveredAt: minutesAfter(2),
        readAt: minutesAfter(3),
        attachments: [{ ...image, storage: 'stored' }],
        aiProcessed: true,
        aiResponse: { intent: 'greeting', sentiment: 'positive', confidence: 0.9, entities: ['x'] },
      })
      .buildPrimitives();
    expect(Message.fromPrimitives(p).toPrimitives()).toEqual(p);
  });

  it('toPrimitives is a deep copy', () => {
    const m = aMessage()
      .with({ attachments: [image] })
      .build();
    const p = m.toPrimitives();
    p.attachments[0]!.url = 'changed';
    expect(m.attachments[0]?.url).toBe(image.url);
  });

  it.each([
    ['type', { type: 'gif' }],
    ['direction', { direction: 'sideways' }],
    ['sender', { sender: 'bot' }],
    ['status', { status: 'seen' }],
    ['whatsappStatus', { whatsappStatus: 'pending' }],
    ['attachments.0.type', { attachments: [{ type: 'gif' }] }],
    ['interactive.type', { interactive: { type: 'carousel' } }],
    [
      'aiResponse.sentiment',
      { aiResponse: { intent: 'x', sentiment: 'angry', confidence: 1, entities: [] } },
    ],
    ['conversationId', { conversationId: 'x' }],
  ])('rejects a bad %s', (field, patch) => {
    const p = { ...aMessage().buildPrimitives(), ...patch } as unknown as MessagePrimitives;
    const error = catchError(() => Message.fromPrimitives(p));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field });
  });
});

describe('applyUnderstanding', () => {
  it('sets aiProcessed and aiResponse', () => {
    const m = aMessage().inbound().build();
    m.applyUnderstanding({
      intent: 'refund',
      sentiment: 'negative',
      confidence: 0.75,
      entities: ['order 42'],
    });
    expect(m.aiProcessed).toBe(true);
    expect(m.aiResponse).toEqual({
      intent: 'refund',
      sentiment: 'negative',
      confidence: 0.75,
      entities: ['order 42'],
    });
  });

  it.each([0, 1])('accepts confidence %s', (confidence) => {
    const m = aMessage().inbound().build();
    m.applyUnderstanding({ intent: 'x', sentiment: 'neutral', confidence, entities: [] });
    expect(m.aiResponse?.confidence).toBe(confidence);
  });

  it.each([
    ['aiResponse.sentiment', { sentiment: 'angry' }],
    ['aiResponse.confidence', { confidence: 1.01 }],
    ['aiResponse.confidence', { confidence: -0.1 }],
    ['aiResponse.confidence', { confidence: Number.NaN }],
    ['aiResponse.intent', { intent: ' ' }],
    ['aiResponse.entities', { entities: [1] }],
  ])('refuses a bad %s', (field, patch) => {
    const m = aMessage().inbound().build();
    expect(() =>
      m.applyUnderstanding({
        intent: 'x',
        sentiment: 'neutral',
        confidence: 0.5,
        entities: [],
        ...patch,
      } as never),
    ).toThrowError(expect.objectContaining({ field }));
    expect(m.aiProcessed).toBe(false);
  });
});

describe('outbox bookkeeping', () => {
  it('scheduleRetry sets sendAttempts and nextAttemptAt = at + backoff, and releases the lease', () => {
    const m = aMessage()
      .with({ leaseUntil: minutesAfter(1) })
      .build();
    expect(m.scheduleRetry(1, minutesAfter(2), 30_000)).toBe(true);
    expect(m.sendAttempts).toBe(1);
    expect(m.nextAttemptAt).toEqual(new Date(minutesAfter(2).getTime() + 30_000));
    expect(m.leaseUntil).toBeUndefined();
  });

  it('scheduleRetry is refused (false) once the message left pending', () => {
    const m = aMessage().withStatus('sent').build();
    expect(m.scheduleRetry(2, T0, 1000)).toBe(false);
    expect(m.sendAttempts).toBe(0);
  });

  it('scheduleRetry validates its arguments', () => {
    const m = aMessage().build();
    expect(() => m.scheduleRetry(0, T0, 1000)).toThrowError(
      expect.objectContaining({ field: 'sendAttempts' }),
    );
    expect(() => m.scheduleRetry(1, T0, -1)).toThrowError(expect.objectContaining({ field: 'backoffMs' }));
  });

  it('retryBackoffMs doubles from the base and is capped', () => {
    expect([1, 2, 3, 4].map((a) => retryBackoffMs(a, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
    expect(() => retryBackoffMs(0)).toThrowError(ValidationError);
  });
});
