import { describe, expect, it } from 'vitest';
import {
  acceptsCustomerMessages,
  LAST_MESSAGE_PREVIEW_LENGTH,
} from '../../../../src/domain/conversation/conversation.js';
import { CONVERSATION_STATUSES } from '../../../../src/domain/conversation/conversation.types.js';
import { BusinessRuleError } from '../../../../src/domain/shared/errors.js';
import { aConversation, minutesAfter, testId } from '../../../support/builders/conversation.js';

const inbound = (minutes: number, content = 'hola') => ({
  content,
  type: 'text' as const,
  at: minutesAfter(minutes),
});
const reply = (minutes: number, sender: 'agent' | 'ai' | 'system' = 'agent') => ({
  content: 'respuesta',
  type: 'text' as const,
  at: minutesAfter(minutes),
  sender,
});

describe('recordInboundMessage', () => {
  it('counts the message, marks it unread and sets lastMessage / lastCustomerMessage / awaitingResponseSince', () => {
    const c = aConversation().build();
    const statusChanged = c.recordInboundMessage({ content: 'Hola', type: 'image', at: minutesAfter(1) });
    expect(statusChanged).toBe(false);
    expect(c.messageCount).toBe(1);
    expect(c.unreadCount).toBe(1);
    expect(c.lastMessage).toEqual({
      content: 'Hola',
      timestamp: minutesAfter(1),
      from: 'customer',
      type: 'image',
    });
    expect(c.lastCustomerMessage).toEqual(minutesAfter(1));
    expect(c.awaitingResponseSince).toEqual(minutesAfter(1));
    expect(c.updatedAt).toEqual(minutesAfter(1));
  });

  it('maps the message type onto the lastMessage enum (audio → document)', () => {
    const c = aConversation().build();
    c.recordInboundMessage({ content: '[audio]', type: 'audio', at: minutesAfter(1) });
    expect(c.lastMessage?.type).toBe('document');
  });

  it('keeps the oldest unanswered message in awaitingResponseSince and counts every unread one', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(1));
    c.recordInboundMessage(inbound(3));
    c.recordInboundMessage(inbound(4));
    expect(c.awaitingResponseSince).toEqual(minutesAfter(1));
    expect(c.lastCustomerMessage).toEqual(minutesAfter(4));
    expect(c.unreadCount).toBe(3);
    expect(c.messageCount).toBe(3);
  });

  it('a late (out-of-order) message does not move lastMessage/lastCustomerMessage back, but is awaited', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(5, 'second'));
    c.recordInboundMessage(inbound(2, 'first'));
    expect(c.lastMessage?.content).toBe('second');
    expect(c.lastCustomerMessage).toEqual(minutesAfter(5));
    expect(c.awaitingResponseSince).toEqual(minutesAfter(2));
    expect(c.updatedAt).toEqual(minutesAfter(5));
  });

  it(`cuts lastMessage.content to ${LAST_MESSAGE_PREVIEW_LENGTH} characters`, () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(1, 'x'.repeat(4000)));
    expect(c.lastMessage?.content).toHaveLength(LAST_MESSAGE_PREVIEW_LENGTH);
    expect(c.lastMessage?.content.endsWith('…')).toBe(true);
  });

  it('records conversation.updated with the conversation ids and the assigned agent', () => {
    const agent = testId();
    const c = aConversation().assignedTo(agent).build();
    c.recordInboundMessage(inbound(1));
    const events = c.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'conversation.updated',
      payload: {
        conversationId: c.id,
        customerId: c.customerId,
        assignedAgent: agent,
        messageCount: 1,
        unreadCount: 1,
      },
    });
  });

  it('reopens a resolved conversation with its agent still set → assigned (agent kept)', () => {
    const agent = testId();
    const c = aConversation().assignedTo(agent).withStatus('resolved').build();
    expect(c.recordInboundMessage(inbound(10))).toBe(true);
    expect(c.status).toBe('assigned');
    expect(c.assignedAgent).toBe(agent);
    expect(c.resolvedAt).toBeUndefined();
    const events = c.pullEvents();
    expect(events.map((e) => e.type)).toEqual(['conversation.updated', 'conversation.status_changed']);
    expect(events[1]?.payload).toMatchObject({
      from: 'resolved',
      to: 'assigned',
      reason: 'customer_message',
      assignedAgent: agent,
    });
  });

  it('reopens a resolved conversation without an agent → open', () => {
    const c = aConversation().withStatus('resolved').build();
    c.recordInboundMessage(inbound(10));
    expect(c.status).toBe('open');
  });

  it('resumes a waiting conversation: → assigned with an agent, → open without', () => {
    const withAgent = aConversation().withStatus('waiting').assignedTo(testId()).build();
    withAgent.recordInboundMessage(inbound(1));
    expect(withAgent.status).toBe('assigned');
    const without = aConversation().withStatus('waiting').build();
    without.recordInboundMessage(inbound(1));
    expect(without.status).toBe('open');
  });

  it('keeps open and assigned as they are', () => {
    const open = aConversation().build();
    open.recordInboundMessage(inbound(1));
    expect(open.status).toBe('open');
    const assigned = aConversation().assignedTo(testId()).build();
    assigned.recordInboundMessage(inbound(1));
    expect(assigned.status).toBe('assigned');
  });

  it('a closed conversation throws CONVERSATION.CLOSED and changes nothing', () => {
    const c = aConversation().withStatus('closed').build();
    const before = c.toPrimitives();
    expect(() => c.recordInboundMessage(inbound(1))).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.CLOSED' }),
    );
    expect(() => c.recordInboundMessage(inbound(1))).toThrowError(BusinessRuleError);
    expect(c.toPrimitives()).toEqual(before);
  });

  it('acceptsCustomerMessages is false only for closed', () => {
    for (const status of CONVERSATION_STATUSES) {
      expect(acceptsCustomerMessages(status)).toBe(status !== 'closed');
    }
  });

  it('rejects an unknown message type', () => {
    const c = aConversation().build();
    expect(() =>
      c.recordInboundMessage({ content: 'x', type: 'gif' as never, at: minutesAfter(1) }),
    ).toThrowError(expect.objectContaining({ field: 'type' }));
    expect(c.messageCount).toBe(0);
  });
});

describe('recordOutboundMessage and response times', () => {
  it('measures the first response time from the oldest unanswered customer message', () => {
    const c = aConversation().assignedTo(testId()).build();
    c.recordInboundMessage(inbound(0));
    c.recordInboundMessage(inbound(2));
    expect(c.recordOutboundMessage(reply(5))).toBe(5);
    expect(c.firstResponseTime).toBe(5);
    expect(c.averageResponseTime).toBe(5);
    expect(c.responseCount).toBe(1);
    expect(c.awaitingResponseSince).toBeUndefined();
    expect(c.lastAgentResponse).toEqual(minutesAfter(5));
    expect(c.messageCount).toBe(3);
    expect(c.lastMessage).toEqual({
      content: 'respuesta',
      timestamp: minutesAfter(5),
      from: 'agent',
      type: 'text',
    });
  });

  it('keeps the first response time and averages every answered exchange', () => {
    const c = aConversation().assignedTo(testId()).build();
    c.recordInboundMessage(inbound(0));
    expect(c.recordOutboundMessage(reply(2))).toBe(2);
    c.recordInboundMessage(inbound(10));
    expect(c.recordOutboundMessage(reply(14))).toBe(4);
    c.recordInboundMessage(inbound(20));
    expect(c.recordOutboundMessage(reply(29))).toBe(9);
    expect(c.firstResponseTime).toBe(2);
    expect(c.averageResponseTime).toBe(5);
    expect(c.responseCount).toBe(3);
  });

  it('continues the running average of a stored conversation', () => {
    const c = aConversation()
      .assignedTo(testId())
      .with({ firstResponseTime: 1, averageResponseTime: 3, responseCount: 2 })
      .awaitingResponseSince(minutesAfter(0))
      .build();
    c.recordOutboundMessage(reply(6));
    expect(c.averageResponseTime).toBe(4);
    expect(c.responseCount).toBe(3);
    expect(c.firstResponseTime).toBe(1);
  });

  it('measures fractions of minutes (one decimal)', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(0));
    expect(c.recordOutboundMessage(reply(1.5))).toBe(1.5);
  });

  it('a second reply to the same customer message measures nothing', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(0));
    c.recordOutboundMessage(reply(2));
    expect(c.recordOutboundMessage(reply(3))).toBeUndefined();
    expect(c.responseCount).toBe(1);
    expect(c.averageResponseTime).toBe(2);
    expect(c.lastAgentResponse).toEqual(minutesAfter(3));
  });

  it('AI replies count as responses', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(0));
    expect(c.recordOutboundMessage(reply(0.5, 'ai'))).toBe(0.5);
    expect(c.firstResponseTime).toBe(0.5);
    expect(c.lastMessage?.from).toBe('agent');
  });

  it('system messages do not count as responses and keep waiting for one', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(0));
    expect(c.recordOutboundMessage(reply(1, 'system'))).toBeUndefined();
    expect(c.awaitingResponseSince).toEqual(minutesAfter(0));
    expect(c.lastAgentResponse).toBeUndefined();
    expect(c.firstResponseTime).toBeUndefined();
    expect(c.lastMessage?.from).toBe('system');
    expect(c.messageCount).toBe(2);
  });

  it('a reply timestamped before the awaited customer message does not answer it', () => {
    const c = aConversation().awaitingResponseSince(minutesAfter(10)).build();
    expect(c.recordOutboundMessage(reply(5))).toBeUndefined();
    expect(c.awaitingResponseSince).toEqual(minutesAfter(10));
  });

  it('a proactive agent message with nothing awaited measures nothing', () => {
    const c = aConversation().assignedTo(testId()).build();
    expect(c.recordOutboundMessage(reply(1))).toBeUndefined();
    expect(c.firstResponseTime).toBeUndefined();
    expect(c.responseCount).toBe(0);
  });

  it.each(['open', 'assigned', 'waiting', 'resolved'] as const)('never changes the status (%s)', (status) => {
    const c = aConversation().withStatus(status).build();
    c.recordOutboundMessage(reply(1));
    expect(c.status).toBe(status);
  });

  it('does not touch the unread count', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(0));
    c.recordOutboundMessage(reply(1));
    expect(c.unreadCount).toBe(1);
  });

  it('records conversation.updated carrying the response time', () => {
    const agent = testId();
    const c = aConversation().assignedTo(agent).awaitingResponseSince(minutesAfter(0)).build();
    c.recordOutboundMessage(reply(3));
    expect(c.pullEvents()[0]).toMatchObject({
      type: 'conversation.updated',
      payload: { conversationId: c.id, customerId: c.customerId, assignedAgent: agent, responseTime: 3 },
    });
  });

  it('rejects an unknown sender', () => {
    const c = aConversation().build();
    expect(() =>
      c.recordOutboundMessage({
        content: 'x',
        type: 'text',
        at: minutesAfter(1),
        sender: 'customer' as never,
      }),
    ).toThrowError(expect.objectContaining({ field: 'sender' }));
  });

  it('is refused on a closed conversation', () => {
    const c = aConversation().withStatus('closed').build();
    expect(() => c.recordOutboundMessage(reply(1))).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.CLOSED' }),
    );
  });
});

describe('markRead', () => {
  it('sets unreadCount to 0 and records; nothing unread is a no-op', () => {
    const c = aConversation().build();
    c.recordInboundMessage(inbound(0));
    c.recordInboundMessage(inbound(1));
    c.pullEvents();
    expect(c.markRead(minutesAfter(2))).toBe(true);
    expect(c.unreadCount).toBe(0);
    expect(c.pullEvents()).toHaveLength(1);
    expect(c.markRead(minutesAfter(3))).toBe(false);
    expect(c.pullEvents()).toEqual([]);
    expect(c.updatedAt).toEqual(minutesAfter(2));
  });
});
