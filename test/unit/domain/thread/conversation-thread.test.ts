import { describe, expect, it } from 'vitest';
import { BusinessRuleError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { ConversationThread } from '../../../../src/domain/thread/conversation-thread.js';

const T0 = new Date('2025-03-03T15:00:00.000Z');
const min = (m: number) => new Date(T0.getTime() + m * 60_000);
const IDS = {
  id: 'aaaaaaaaaaaaaaaaaaaaaaa1',
  conversationId: 'bbbbbbbbbbbbbbbbbbbbbbb1',
  customerId: 'ccccccccccccccccccccccc1',
};
const policy = { maxMessages: 3, idleMinutes: 30 };

const start = () =>
  ConversationThread.start(
    {
      conversationId: IDS.conversationId,
      customerId: IDS.customerId,
      userId: '+525512345678',
      threadId: 'conv_1',
    },
    { id: IDS.id, now: T0 },
  );

describe('ConversationThread', () => {
  it('starts active and empty', () => {
    expect(start().toPrimitives()).toEqual({
      id: IDS.id,
      conversationId: IDS.conversationId,
      customerId: IDS.customerId,
      userId: '+525512345678',
      threadId: 'conv_1',
      messageCount: 0,
      isActive: true,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('validates ids and the thread id', () => {
    expect(() =>
      ConversationThread.start(
        { ...IDS, conversationId: 'x', userId: 'u', threadId: 't' },
        { id: IDS.id, now: T0 },
      ),
    ).toThrow(ValidationError);
    expect(() =>
      ConversationThread.start(
        { conversationId: IDS.conversationId, customerId: IDS.customerId, userId: 'u', threadId: ' ' },
        { id: IDS.id, now: T0 },
      ),
    ).toThrow(/threadId/);
  });

  it('recordInteraction counts and stamps', () => {
    const t = start();
    t.recordInteraction(min(1));
    t.recordInteraction(min(2));
    expect(t.toPrimitives()).toMatchObject({ messageCount: 2, lastInteraction: min(2), updatedAt: min(2) });
  });

  it('needs rotation once messageCount reaches the maximum', () => {
    const t = start();
    t.recordInteraction(min(1));
    t.recordInteraction(min(2));
    expect(t.needsRotation(min(3), policy)).toBe(false);
    t.recordInteraction(min(3));
    expect(t.needsRotation(min(3), policy)).toBe(true);
  });

  it('needs rotation when idle longer than the limit (not at exactly the limit)', () => {
    const t = start();
    t.recordInteraction(min(10));
    expect(t.needsRotation(min(40), policy)).toBe(false);
    expect(t.needsRotation(new Date(min(40).getTime() + 1), policy)).toBe(true);
  });

  it('measures idleness from creation when there was no interaction yet', () => {
    const t = start();
    expect(t.needsRotation(min(30), policy)).toBe(false);
    expect(t.needsRotation(min(31), policy)).toBe(true);
  });

  it('rotate replaces the thread, resets the count and stamps lastCleanup', () => {
    const t = start();
    for (const m of [1, 2, 3]) t.recordInteraction(min(m));
    t.rotate('conv_2', min(100));
    expect(t.toPrimitives()).toMatchObject({
      threadId: 'conv_2',
      messageCount: 0,
      lastCleanup: min(100),
      lastInteraction: min(3),
      updatedAt: min(100),
    });
    expect(t.needsRotation(min(101), policy)).toBe(false); // a fresh thread is not idle
  });

  it('rotate refuses the same thread id', () => {
    const t = start();
    expect(() => t.rotate('conv_1', min(1))).toThrow(ValidationError);
  });

  it('deactivate stops it; an inactive thread refuses interactions and rotation', () => {
    const t = start();
    t.deactivate(min(5));
    expect(t.toPrimitives()).toMatchObject({ isActive: false, updatedAt: min(5) });
    expect(() => t.recordInteraction(min(6))).toThrow(BusinessRuleError);
    expect(() => t.rotate('conv_2', min(6))).toThrow(BusinessRuleError);
  });

  it('round-trips through primitives', () => {
    const t = start();
    t.recordInteraction(min(1));
    const p = t.toPrimitives();
    expect(ConversationThread.fromPrimitives(p).toPrimitives()).toEqual(p);
    p.messageCount = 99;
    expect(t.messageCount).toBe(1);
  });
});
