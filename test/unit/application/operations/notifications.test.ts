import { describe, expect, it } from 'vitest';
import { AssignConversation } from '../../../../src/application/conversations/assign-conversation.js';
import { TransferConversation } from '../../../../src/application/conversations/transfer-conversation.js';
import { NotifyAgent } from '../../../../src/application/notifications/notify-agent.js';
import {
  NotifyOnEvent,
  notificationsFor,
} from '../../../../src/application/notifications/notify-on-event.js';
import type { Mailer, MailMessage } from '../../../../src/application/ports/mailer.js';
import { RunSlaWatcher } from '../../../../src/application/sla/run-sla-watcher.js';
import { seedConversation } from '../../../support/test-seeds.js';
import { operationsFixture } from './operations-fixture.js';

class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  fail = false;
  async send(message: MailMessage): Promise<void> {
    if (this.fail) throw new Error('550 mailbox unavailable');
    this.sent.push(message);
  }
}

async function notifierFixture() {
  const f = await operationsFixture();
  const mailer = new RecordingMailer();
  const ports = Object.assign(f.ports, { mailer });
  const notifier = new NotifyOnEvent(ports);
  const pending: Promise<unknown>[] = [];
  ports.events.subscribe((event) => {
    pending.push(notifier.execute(event));
  });
  const settle = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0));
  };
  const notifications = () => ports.published.filter((e) => e.type === 'notification').map((e) => e.payload);
  return { ...f, ports, mailer, notifier, settle, notifications };
}

describe('NotifyAgent', () => {
  it('always publishes a live notification for the recipient, and e-mails them when they want e-mail', async () => {
    const f = await notifierFixture();

    const result = await new NotifyAgent(f.ports).execute({
      recipientAgentId: f.ana.record.id,
      kind: 'assignment',
      title: 'New conversation',
      body: 'A conversation was assigned to you.',
      conversationId: f.ports.ids.next(),
    });

    expect(result).toEqual({ delivered: true, email: 'sent' });
    expect(f.notifications()).toEqual([
      expect.objectContaining({
        recipientAgentId: f.ana.record.id,
        assignedAgent: f.ana.record.id,
        kind: 'assignment',
        title: 'New conversation',
      }),
    ]);
    expect(f.mailer.sent).toEqual([
      expect.objectContaining({
        to: f.ana.record.email,
        subject: '[CRM] New conversation',
        text: expect.stringContaining('A conversation was assigned to you.'),
      }),
    ]);
  });

  it('sends no e-mail to an agent who turned e-mail notifications off, nor without a mailer', async () => {
    const f = await notifierFixture();
    const ana = (await f.ports.agents.findById(f.ana.record.id))!;
    await f.ports.agents.update({
      ...ana,
      preferences: { ...ana.preferences, notifications: { email: false, push: true, sound: false } },
    });

    const off = await new NotifyAgent(f.ports).execute({
      recipientAgentId: ana.id,
      kind: 'transfer',
      title: 't',
      body: 'b',
    });
    const { mailer: _m, ...withoutMailer } = f.ports;
    const none = await new NotifyAgent(withoutMailer).execute({
      recipientAgentId: f.supervisor.record.id,
      kind: 'transfer',
      title: 't',
      body: 'b',
    });

    expect(off.email).toBe('not_wanted');
    expect(none.email).toBe('off');
    expect(f.mailer.sent).toEqual([]);
    expect(f.notifications()).toHaveLength(2);
    expect(f.notifications()[0]).toMatchObject({ channels: { push: true, sound: false } });
  });

  it('reports a failed e-mail without failing (the live notification is out)', async () => {
    const f = await notifierFixture();
    f.mailer.fail = true;

    const result = await new NotifyAgent(f.ports).execute({
      recipientAgentId: f.ana.record.id,
      kind: 'escalation',
      title: 't',
      body: 'b',
    });

    expect(result).toEqual({ delivered: true, email: 'failed', emailError: '550 mailbox unavailable' });
    expect(f.notifications()).toHaveLength(1);
  });

  it('does not notify a deactivated agent', async () => {
    const f = await notifierFixture();
    await f.ports.agents.update({ ...(await f.ports.agents.findById(f.ana.record.id))!, isActive: false });

    expect(
      (
        await new NotifyAgent(f.ports).execute({
          recipientAgentId: f.ana.record.id,
          kind: 'assignment',
          title: 't',
          body: 'b',
        })
      ).delivered,
    ).toBe(false);
    expect(f.notifications()).toEqual([]);
  });
});

describe('NotifyOnEvent', () => {
  it('tells an agent about a conversation assigned to them by someone else, not when they take it themselves', async () => {
    const f = await notifierFixture();
    const byAdmin = await seedConversation(f.ports, f.customer.id);
    const taken = await seedConversation(f.ports, f.customer.id);

    await new AssignConversation(f.ports).execute({
      actor: f.admin.actor,
      conversationId: byAdmin.id,
      agentId: f.ana.record.id,
    });
    await new AssignConversation(f.ports).execute({
      actor: f.ana.actor,
      conversationId: taken.id,
      agentId: f.ana.record.id,
    });
    await f.settle();

    expect(f.notifications()).toEqual([
      expect.objectContaining({
        recipientAgentId: f.ana.record.id,
        kind: 'assignment',
        conversationId: byAdmin.id,
      }),
    ]);
    expect(f.mailer.sent.map((m) => m.to)).toEqual([f.ana.record.email]);
  });

  it('tells the agent a conversation is transferred to', async () => {
    const f = await notifierFixture();
    const conversation = await seedConversation(f.ports, f.customer.id, {
      status: 'assigned',
      assignedAgent: f.ana.record.id,
    });
    await f.ports.agents.incrementStatistics(f.ana.record.id, { currentActiveConversations: 1 });

    await new TransferConversation(f.ports).execute({
      actor: f.admin.actor,
      conversationId: conversation.id,
      toAgentId: f.supervisor.record.id,
    });
    await f.settle();

    expect(f.notifications()).toEqual([
      expect.objectContaining({
        recipientAgentId: f.supervisor.record.id,
        kind: 'transfer',
        conversationId: conversation.id,
      }),
    ]);
  });

  it('turns SLA warnings and escalations from the watcher into notifications for the agent and the supervisor', async () => {
    const f = await notifierFixture();
    const warned = await f.awaitingConversation(20);
    const breached = await f.awaitingConversation(55);

    await new RunSlaWatcher(f.ports).execute();
    await f.settle();

    const got = f.notifications();
    expect(got).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          recipientAgentId: f.ana.record.id,
          kind: 'sla_warning',
          conversationId: warned.id,
        }),
        expect.objectContaining({
          recipientAgentId: f.supervisor.record.id,
          kind: 'escalation',
          conversationId: breached.id,
        }),
        expect.objectContaining({
          recipientAgentId: f.ana.record.id,
          kind: 'escalation',
          conversationId: breached.id,
        }),
      ]),
    );
    expect(got).toHaveLength(3);
  });

  it('notifies once per event however many nodes handle it', async () => {
    const f = await notifierFixture();
    const event = {
      type: 'window.closing',
      occurredAt: f.ports.clock.now(),
      payload: {
        conversationId: f.ports.ids.next(),
        assignedAgent: f.ana.record.id,
        message: 'closes in 30 minutes',
      },
    };

    const second = new NotifyOnEvent(f.ports);
    const [a, b] = await Promise.all([f.notifier.execute(event), second.execute(event)]);

    expect(a.length + b.length).toBe(1);
    expect(f.notifications()).toEqual([
      expect.objectContaining({ kind: 'window_closing', body: 'closes in 30 minutes' }),
    ]);
  });

  it('maps window.closed to a template-path notice and ignores unrelated updates', () => {
    const [closed] = notificationsFor({
      type: 'window.closed',
      occurredAt: new Date(),
      payload: { assignedAgent: 'a'.repeat(24) },
    });
    expect(closed).toMatchObject({ kind: 'window_closed', title: 'WhatsApp window closed: use a template' });
    expect(
      notificationsFor({
        type: 'conversation.updated',
        occurredAt: new Date(),
        payload: { assignedAgent: 'a'.repeat(24), changes: { tags: {} } },
      }),
    ).toEqual([]);
    expect(notificationsFor({ type: 'sla.warning', occurredAt: new Date(), payload: {} })).toEqual([]); // nobody assigned
  });
});
