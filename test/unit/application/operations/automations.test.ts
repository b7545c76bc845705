import { describe, expect, it } from 'vitest';
import { AutoResolveConversations } from '../../../../src/application/automations/auto-resolve-conversations.js';
import { HandleSurveyAnswer } from '../../../../src/application/automations/handle-survey-answer.js';
import { surveyRating } from '../../../../src/application/automations/satisfaction-survey.js';
import { SendSatisfactionSurvey } from '../../../../src/application/automations/send-satisfaction-survey.js';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import { ReceiveInboundMessage } from '../../../../src/application/messages/receive-inbound-message.js';
import { minutesAgo, operationsFixture, setSetting } from './operations-fixture.js';

const HOUR = 60;

describe('AutoResolveConversations', () => {
  it('resolves, as the system, conversations whose customer has been silent for auto_resolve_after_hours', async () => {
    const f = await operationsFixture();
    await setSetting(f.ports, 'auto_resolve_after_hours', 24);
    await f.ports.agents.incrementStatistics(f.ana.record.id, { currentActiveConversations: 2 });
    const silent = await f.awaitingConversation(25 * HOUR, {
      awaitingResponseSince: undefined,
      lastAgentResponse: minutesAgo(f.ports, 24 * HOUR),
    });
    const recent = await f.awaitingConversation(23 * HOUR, { awaitingResponseSince: undefined });
    const unanswered = await f.awaitingConversation(30 * HOUR); // the customer waits on us: never auto-resolved

    const report = await new AutoResolveConversations(f.ports).execute();

    expect(report.resolved).toEqual([silent.id]);
    const stored = await f.ports.conversations.findById(silent.id);
    expect(stored).toMatchObject({
      status: 'resolved',
      resolutionNotes: 'Resolved automatically: no message from the customer for 24 hours',
    });
    expect(stored?.resolvedBy).toBeUndefined();
    expect((await f.ports.conversations.findById(recent.id))?.status).toBe('assigned');
    expect((await f.ports.conversations.findById(unanswered.id))?.status).toBe('assigned');
    const [entry] = (await f.ports.activity.listByEntity('conversation', silent.id, { limit: 5 })).items;
    expect(entry).toMatchObject({
      action: 'resolved',
      details: { reason: expect.stringMatching(/24 hours/) },
    });
    expect(entry?.performedBy).toBeUndefined();
    expect((await f.ports.agents.findById(f.ana.record.id))?.statistics).toMatchObject({
      resolvedConversations: 1,
      currentActiveConversations: 1,
    });
    expect(f.eventsOf('conversation.status_changed').map((e) => e.payload)).toEqual([
      expect.objectContaining({ to: 'resolved', conversationId: silent.id }),
    ]);
  });

  it('does nothing when auto_resolve_after_hours is 0, and resolves once when two nodes run it together', async () => {
    const f = await operationsFixture();
    await f.awaitingConversation(100 * HOUR, { awaitingResponseSince: undefined });
    await setSetting(f.ports, 'auto_resolve_after_hours', 0);
    expect((await new AutoResolveConversations(f.ports).execute()).resolved).toEqual([]);

    await setSetting(f.ports, 'auto_resolve_after_hours', 48);
    const [a, b] = await Promise.all([
      new AutoResolveConversations(f.ports).execute(),
      new AutoResolveConversations(f.ports).execute(),
    ]);
    expect(a.resolved.length + b.resolved.length).toBe(1);
  });
});

describe('the satisfaction survey', () => {
  async function resolvedConversation(
    f: Awaited<ReturnType<typeof operationsFixture>>,
    customerWroteMinutesAgo: number,
  ) {
    const conversation = await f.awaitingConversation(customerWroteMinutesAgo, {
      awaitingResponseSince: undefined,
      priority: 'low',
    });
    await f.ports.agents.incrementStatistics(f.ana.record.id, { currentActiveConversations: 1 });
    return new ChangeConversationStatus(f.ports).execute({
      actor: f.ana.actor,
      conversationId: conversation.id,
      status: 'resolved',
      notes: 'Reembolso hecho',
    });
  }

  it('asks with an interactive list of five ratings while the 24-hour window is open', async () => {
    const f = await operationsFixture();
    const conversation = await resolvedConversation(f, 10);

    const result = await new SendSatisfactionSurvey(f.ports).execute({ conversationId: conversation.id });

    expect(result.outcome).toBe('sent_list');
    const message = await f.ports.messages.findById(result.messageId!);
    expect(message).toMatchObject({
      type: 'interactive',
      sender: 'system',
      direction: 'outbound',
      status: 'pending',
    });
    expect(message?.interactive?.type).toBe('list');
    expect(message?.interactive?.listItems?.map((r) => r.id)).toEqual([
      'csat:5',
      'csat:4',
      'csat:3',
      'csat:2',
      'csat:1',
    ]);
    // Once per resolution.
    expect(
      (await new SendSatisfactionSurvey(f.ports).execute({ conversationId: conversation.id })).outcome,
    ).toBe('already_sent');
  });

  it('uses the satisfaction_survey template when the window is closed, and nothing when the survey is off', async () => {
    const f = await operationsFixture();
    const closedWindow = await resolvedConversation(f, 25 * HOUR);

    const result = await new SendSatisfactionSurvey(f.ports).execute({ conversationId: closedWindow.id });
    expect(result.outcome).toBe('sent_template');
    expect((await f.ports.messages.findById(result.messageId!))?.template).toMatchObject({
      name: 'satisfaction_survey',
      language: 'es',
    });

    await setSetting(f.ports, 'satisfaction_survey_enabled', false);
    const other = await resolvedConversation(f, 10);
    expect((await new SendSatisfactionSurvey(f.ports).execute({ conversationId: other.id })).outcome).toBe(
      'disabled',
    );
  });

  it('records the answer (csat:4) as the conversation rating, keeps it resolved by the agent, and feeds the customer score', async () => {
    const f = await operationsFixture();
    const conversation = await resolvedConversation(f, 10);
    await new SendSatisfactionSurvey(f.ports).execute({ conversationId: conversation.id });
    f.ports.clock.advanceMinutes(2);

    // The answer arrives like any WhatsApp message: it reopens the conversation (domain behaviour)…
    const inbound = await new ReceiveInboundMessage(f.ports).execute({
      whatsappMessageId: 'wamid.survey-answer',
      from: f.customer.phoneNumber.replace('+', ''),
      phoneNumberId: '106540352242922',
      timestamp: f.ports.clock.now(),
      type: 'interactive',
      content: '★★★★ 4',
      interactive: { type: 'list', replyId: 'csat:4', title: '★★★★ 4' },
    });
    expect(inbound.conversation.id).toBe(conversation.id);

    // …and the handler (subscribed to message.received) records it and puts the conversation back.
    const result = await new HandleSurveyAnswer(f.ports).execute({ messageId: inbound.message.id });

    expect(result).toEqual({ outcome: 'recorded', rating: 4 });
    const stored = await f.ports.conversations.findById(conversation.id);
    expect(stored).toMatchObject({
      status: 'resolved',
      resolvedBy: f.ana.record.id,
      resolutionNotes: 'Reembolso hecho',
      customerSatisfaction: { rating: 4 },
    });
    expect((await f.ports.customers.findById(f.customer.id))?.statistics).toMatchObject({
      satisfactionScore: 4,
      satisfactionCount: 1,
    });
    // The agent's resolved count is not inflated by the restore.
    expect((await f.ports.agents.findById(f.ana.record.id))?.statistics.resolvedConversations).toBe(1);
  });

  it('ignores messages that are not survey answers', async () => {
    const f = await operationsFixture();
    expect(surveyRating({ type: 'text', content: '5' })).toBeUndefined();
    expect(
      surveyRating({ type: 'interactive', content: 'x', interactive: { replyId: 'menu:5' } }),
    ).toBeUndefined();
    expect(
      surveyRating({ type: 'interactive', content: 'x', interactive: { replyId: 'csat:9' } }),
    ).toBeUndefined();
    expect(surveyRating({ type: 'button', content: '5 ★' })).toBe(5);
    expect((await new HandleSurveyAnswer(f.ports).execute({ messageId: f.ports.ids.next() })).outcome).toBe(
      'not_an_answer',
    );
  });
});
