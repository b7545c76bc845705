import { describe, expect, it } from 'vitest';
import {
  canAdvance,
  MESSAGE_STATUS_ORDER,
  MESSAGE_STATUS_TRANSITIONS,
  type Message,
  statusPredecessors,
} from '../../../../src/domain/message/message.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../../../../src/domain/message/message.types.js';
import { minutesAfter, testId } from '../../../support/builders/conversation.js';
import { aMessage } from '../../../support/builders/message.js';

/** The agreed table, spelled out so that any change to MESSAGE_STATUS_TRANSITIONS fails here. */
const EXPECTED = new Set([
  'pending->sent',
  'pending->delivered',
  'pending->read',
  'pending->failed',
  'sent->delivered',
  'sent->read',
  'sent->failed',
  'delivered->read',
]);

const AT = minutesAfter(5);
const ERROR = { code: 131026, title: 'Message undeliverable' };

/** The named mutator for each target status (pending has none: nothing leads back to it). */
const NAMED: Record<Exclude<MessageStatus, 'pending'>, (m: Message) => boolean> = {
  sent: (m) => m.markSent('wamid.NEW', AT),
  delivered: (m) => m.markDelivered(AT),
  read: (m) => m.markRead(AT),
  failed: (m) => m.markFailed(ERROR, AT),
};

describe('Message delivery status: the transition table', () => {
  it('is exactly the agreed table', () => {
    const actual = new Set(
      MESSAGE_STATUSES.flatMap((from) => MESSAGE_STATUS_TRANSITIONS[from].map((to) => `${from}->${to}`)),
    );
    expect(actual).toEqual(EXPECTED);
    for (const from of MESSAGE_STATUSES) {
      for (const to of MESSAGE_STATUSES) {
        expect(canAdvance(from, to)).toBe(EXPECTED.has(`${from}->${to}`));
      }
    }
  });

  it('orders the happy path pending → sent → delivered → read', () => {
    expect(MESSAGE_STATUS_ORDER).toEqual(['pending', 'sent', 'delivered', 'read']);
  });

  it.each([
    ['pending', []],
    ['sent', ['pending']],
    ['delivered', ['pending', 'sent']],
    ['read', ['pending', 'sent', 'delivered']],
    ['failed', ['pending', 'sent']],
  ] as const)('statusPredecessors(%s) = %j', (to, expected) => {
    expect(statusPredecessors(to)).toEqual(expected);
  });

  describe.each([...MESSAGE_STATUSES])('from %s', (from) => {
    it.each([...MESSAGE_STATUSES])(
      'advance to %s: true and moved iff in the table, else false and unchanged',
      (to) => {
        const message = aMessage().withStatus(from).build();
        const before = message.toPrimitives();
        const changed = message.advance(to, AT);
        if (EXPECTED.has(`${from}->${to}`)) {
          expect(changed).toBe(true);
          expect(message.status).toBe(to);
          expect(message.whatsappStatus).toBe(to);
          const events = message.pullEvents();
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({
            type: 'message.status_changed',
            occurredAt: AT,
            payload: {
              messageId: message.id,
              conversationId: message.conversationId,
              customerId: message.customerId,
              from,
              to,
            },
          });
        } else {
          expect(changed).toBe(false);
          expect(message.toPrimitives()).toEqual(before);
          expect(message.pullEvents()).toEqual([]);
        }
      },
    );

    it.each(Object.keys(NAMED) as (keyof typeof NAMED)[])(
      'the named mutator for %s agrees with the table',
      (to) => {
        const message = aMessage().withStatus(from).build();
        const before = message.toPrimitives();
        const changed = NAMED[to](message);
        expect(changed).toBe(EXPECTED.has(`${from}->${to}`));
        if (changed) expect(message.status).toBe(to);
        else expect(message.toPrimitives()).toEqual(before);
      },
    );
  });
});

describe('Message delivery status: fields', () => {
  it('markSent sets the WhatsApp id, sentAt and whatsappStatus', () => {
    const m = aMessage().build();
    expect(m.markSent('wamid.ABC', AT)).toBe(true);
    expect(m.toPrimitives()).toMatchObject({
      status: 'sent',
      whatsappStatus: 'sent',
      whatsappMessageId: 'wamid.ABC',
      sentAt: AT,
    });
  });

  it('markSent requires a WhatsApp id', () => {
    expect(() => aMessage().build().markSent('  ', AT)).toThrowError(
      expect.objectContaining({ field: 'whatsappMessageId' }),
    );
  });

  it('markDelivered sets deliveredAt', () => {
    const m = aMessage().withStatus('sent').build();
    m.markDelivered(AT);
    expect(m.deliveredAt).toEqual(AT);
  });

  it('markRead sets readAt and deliveredAt when the delivered report never came', () => {
    const m = aMessage().withStatus('sent').build();
    m.markRead(AT);
    expect(m.readAt).toEqual(AT);
    expect(m.deliveredAt).toEqual(AT);
  });

  it('markRead keeps an earlier deliveredAt', () => {
    const m = aMessage().withStatus('sent').build();
    m.markDelivered(minutesAfter(1));
    m.markRead(AT);
    expect(m.deliveredAt).toEqual(minutesAfter(1));
  });

  it('markFailed sets whatsappError, whatsappErrorCode and failedAt, and the event carries them', () => {
    const m = aMessage().withStatus('sent').build();
    expect(m.markFailed(ERROR, AT)).toBe(true);
    expect(m.toPrimitives()).toMatchObject({
      status: 'failed',
      whatsappStatus: 'failed',
      whatsappError: 'Message undeliverable',
      whatsappErrorCode: 131026,
      failedAt: AT,
    });
    expect(m.pullEvents()[0]?.payload).toMatchObject({ whatsappErrorCode: 131026 });
  });

  it('a late delivered after read returns false and changes nothing', () => {
    const m = aMessage().withStatus('sent').build();
    m.markRead(minutesAfter(2));
    m.pullEvents();
    expect(m.markDelivered(minutesAfter(3))).toBe(false);
    expect(m.status).toBe('read');
    expect(m.deliveredAt).toEqual(minutesAfter(2));
    expect(m.pullEvents()).toEqual([]);
  });

  it('a duplicate status report returns false', () => {
    const m = aMessage().withStatus('sent').build();
    expect(m.markDelivered(AT)).toBe(true);
    expect(m.markDelivered(minutesAfter(6))).toBe(false);
    expect(m.deliveredAt).toEqual(AT);
  });

  it('failed after delivered is ignored (the message reached the phone)', () => {
    const m = aMessage().withStatus('delivered').build();
    expect(m.markFailed(ERROR, AT)).toBe(false);
    expect(m.status).toBe('delivered');
    expect(m.whatsappError).toBeUndefined();
  });

  it('failed is final: a later sent/delivered/read is ignored', () => {
    const m = aMessage().withStatus('failed').build();
    expect(m.markSent('wamid.X', AT)).toBe(false);
    expect(m.markDelivered(AT)).toBe(false);
    expect(m.markRead(AT)).toBe(false);
    expect(m.status).toBe('failed');
  });

  it('an inbound message (delivered) can only become read', () => {
    const m = aMessage().inbound().build();
    expect(m.markSent('wamid.X', AT)).toBe(false);
    expect(m.markFailed(ERROR, AT)).toBe(false);
    expect(m.markRead(AT)).toBe(true);
    expect(m.status).toBe('read');
  });

  it('event payloads carry the assignedAgent passed as audience (key present even when unknown)', () => {
    const agent = testId();
    const m = aMessage().build();
    m.markSent('wamid.X', AT, { assignedAgent: agent });
    expect(m.pullEvents()[0]?.payload).toMatchObject({ assignedAgent: agent, whatsappMessageId: 'wamid.X' });
    m.markDelivered(AT);
    const payload = m.pullEvents()[0]?.payload ?? {};
    expect(Object.hasOwn(payload, 'assignedAgent')).toBe(true);
    expect(payload.assignedAgent).toBeUndefined();
  });

  it('advance rejects an unknown status', () => {
    expect(() =>
      aMessage()
        .build()
        .advance('seen' as MessageStatus, AT),
    ).toThrowError(expect.objectContaining({ field: 'status' }));
  });

  it('a status change releases the outbox lease', () => {
    const m = aMessage()
      .with({ leaseUntil: minutesAfter(10) })
      .build();
    m.markSent('wamid.X', AT);
    expect(m.leaseUntil).toBeUndefined();
  });
});
