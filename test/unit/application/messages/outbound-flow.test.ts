import { beforeEach, describe, expect, it } from 'vitest';
import { ApplyMessageStatus } from '../../../../src/application/messages/apply-message-status.js';
import {
  DeliverOutboundMessages,
  MAX_SEND_ATTEMPTS,
} from '../../../../src/application/messages/deliver-outbound-messages.js';
import { ReceiveInboundMessage } from '../../../../src/application/messages/receive-inbound-message.js';
import { SendMessage } from '../../../../src/application/messages/send-message.js';
import { WhatsAppSendError } from '../../../../src/application/ports/gateways.js';
import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';

describe('sending: outbox, window, idempotency, delivery statuses', () => {
  let ports: TestPorts;
  let agent: AgentActor;
  let conversationId: string;
  let send: SendMessage;
  let deliver: DeliverOutboundMessages;
  let status: ApplyMessageStatus;

  beforeEach(async () => {
    ports = makeTestPorts();
    agent = (await seedAgent(ports, 'agent')).actor;
    const received = await new ReceiveInboundMessage(ports).execute({
      whatsappMessageId: 'wamid.IN1',
      from: '5215512345678',
      phoneNumberId: 'PHONE_A',
      timestamp: ports.clock.now(),
      type: 'text',
      content: '¿Tienen envío a Monterrey?',
    });
    conversationId = received.conversation.id;
    expect(received.conversation.assignedAgent).toBe(agent.id);
    send = new SendMessage(ports);
    deliver = new DeliverOutboundMessages(ports);
    status = new ApplyMessageStatus(ports);
  });

  const text = (content: string) => ({ type: 'text' as const, content });

  it('queues a reply as pending, records the response time, and the sender delivers it from the conversation number', async () => {
    ports.clock.advanceMinutes(7);
    const { message } = await send.execute({ actor: agent, conversationId, message: text('Sí, en 2 días') });
    expect(message.status).toBe('pending');
    const conversation = await ports.conversations.findById(conversationId);
    expect(conversation?.firstResponseTime).toBe(7);
    expect(conversation?.lastMessage?.from).toBe('agent');

    const report = await deliver.execute();
    expect(report).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect(ports.whatsapp.sent).toHaveLength(1);
    expect(ports.whatsapp.sent[0]).toMatchObject({ phoneNumberId: 'PHONE_A', to: '+525512345678' });
    const stored = await ports.messages.findById(message.id);
    expect(stored?.status).toBe('sent');
    expect(stored?.whatsappMessageId).toMatch(/^wamid\.SANDBOX/);
    expect((await deliver.execute()).claimed).toBe(0);
  });

  it('returns the first message for a retried idempotency key and sends once', async () => {
    const a = await send.execute({
      actor: agent,
      conversationId,
      message: text('Hola'),
      idempotencyKey: 'k-1',
    });
    const b = await send.execute({
      actor: agent,
      conversationId,
      message: text('Hola'),
      idempotencyKey: 'k-1',
    });
    expect(b.duplicate).toBe(true);
    expect(b.message.id).toBe(a.message.id);
    await deliver.execute();
    expect(ports.whatsapp.sent).toHaveLength(1);
  });

  it('refuses free-form text outside the 24-hour window but accepts a template', async () => {
    ports.clock.advanceMinutes(24 * 60);
    await expect(
      send.execute({ actor: agent, conversationId, message: text('¿Sigue ahí?') }),
    ).rejects.toMatchObject({
      code: 'MESSAGE.WINDOW_CLOSED',
    });
    const { message } = await send.execute({
      actor: agent,
      conversationId,
      message: {
        type: 'template',
        content: '',
        template: { name: 'follow_up', language: 'es_MX', parameters: ['Ana'] },
      },
    });
    expect(message.status).toBe('pending');
  });

  it('refuses an agent sending in another agent’s conversation', async () => {
    const other = (await seedAgent(ports, 'agent')).actor;
    await expect(send.execute({ actor: other, conversationId, message: text('hola') })).rejects.toMatchObject(
      {
        code: 'AUTH.FORBIDDEN',
      },
    );
  });

  it('retries transient errors with back-off, then fails permanently with the WhatsApp code', async () => {
    const { message } = await send.execute({ actor: agent, conversationId, message: text('Hola') });
    ports.whatsapp.failNextSends(new WhatsAppSendError('Too many requests', true, 130429, 'Rate limit hit'));
    const first = await deliver.execute();
    expect(first).toMatchObject({ retried: 1 });
    let stored = await ports.messages.findById(message.id);
    expect(stored?.status).toBe('pending');
    expect(stored?.sendAttempts).toBe(1);
    // The report says when the retry falls due (the worker's next round), by the use case's clock.
    expect(first.retryInMs).toBe(stored!.nextAttemptAt!.getTime() - ports.clock.now().getTime());
    expect(first.retryInMs).toBeGreaterThanOrEqual(1_000);
    expect((await deliver.execute()).claimed).toBe(0); // not due yet

    ports.clock.advanceMinutes(10);
    ports.whatsapp.failNextSends(
      new WhatsAppSendError('Recipient cannot be sent to', false, 131026, 'Message undeliverable'),
    );
    expect(await deliver.execute()).toMatchObject({ failed: 1 });
    stored = await ports.messages.findById(message.id);
    expect(stored).toMatchObject({
      status: 'failed',
      whatsappErrorCode: 131026,
      whatsappError: 'Message undeliverable',
    });
    const conversation = await ports.conversations.findById(conversationId);
    expect(conversation?.failedDeliveries).toBe(1);
    expect(
      ports.published.some((e) => e.type === 'message.status_changed' && e.payload.to === 'failed'),
    ).toBe(true);
  });

  it('gives up after the maximum number of attempts', async () => {
    const { message } = await send.execute({ actor: agent, conversationId, message: text('Hola') });
    for (let i = 0; i < MAX_SEND_ATTEMPTS; i++) {
      ports.whatsapp.failNextSends(new WhatsAppSendError('Service unavailable', true, undefined, 'HTTP 503'));
      await deliver.execute();
      ports.clock.advanceMinutes(10);
    }
    expect((await ports.messages.findById(message.id))?.status).toBe('failed');
    expect(ports.whatsapp.sent).toHaveLength(0);
  });

  it('moves delivery statuses forward only, whatever order the webhooks arrive in', async () => {
    const { message } = await send.execute({ actor: agent, conversationId, message: text('Hola') });
    await deliver.execute();
    const wamid = (await ports.messages.findById(message.id))!.whatsappMessageId!;
    const at = ports.clock.now();
    expect(await status.execute({ whatsappMessageId: wamid, status: 'read', timestamp: at })).toBe('applied');
    expect(await status.execute({ whatsappMessageId: wamid, status: 'delivered', timestamp: at })).toBe(
      'ignored',
    );
    expect(await status.execute({ whatsappMessageId: wamid, status: 'sent', timestamp: at })).toBe('ignored');
    const stored = await ports.messages.findById(message.id);
    expect(stored?.status).toBe('read');
    expect(stored?.readAt).toEqual(at);
    expect(stored?.deliveredAt).toEqual(at);
    expect(await status.execute({ whatsappMessageId: 'wamid.UNKNOWN', status: 'read', timestamp: at })).toBe(
      'unknown_message',
    );
  });
});
