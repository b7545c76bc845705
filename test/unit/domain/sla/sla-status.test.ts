import { describe, expect, it } from 'vitest';
import type { ConversationPrimitives } from '../../../../src/domain/conversation/conversation.types.js';
import { DEFAULT_BUSINESS_HOURS } from '../../../../src/domain/sla/business-hours.js';
import {
  type ConversationSlaSubject,
  conversationSlaSubject,
  evaluateSla,
  findSlaBreaches,
  type SlaConfig,
  slaLevelForSegment,
  type TicketSlaSubject,
  ticketSlaSubject,
} from '../../../../src/domain/sla/sla-status.js';
import { DEFAULT_SLA_TARGETS } from '../../../../src/domain/sla/sla-targets.js';
import { aTicket, TEST_SLA, TICKET_T0, testId } from '../../../support/builders/ticket.js';

const config: SlaConfig = {
  hours: DEFAULT_BUSINESS_HOURS,
  zone: 'America/Mexico_City',
  targets: DEFAULT_SLA_TARGETS,
  warningLeadMinutes: 30,
};

/** Local Mexico City wall time (UTC-6) on the week of Monday 2026-03-02. */
const mx = (day: 'mon' | 'tue' | 'wed' | 'thu' | 'fri', hhmm: string): Date => {
  const date = { mon: '02', tue: '03', wed: '04', thu: '05', fri: '06' }[day];
  return new Date(`2026-03-${date}T${hhmm}:00.000-06:00`);
};

const ticket = (over: Partial<TicketSlaSubject> = {}): TicketSlaSubject => ({
  kind: 'ticket',
  id: testId(),
  createdAt: mx('mon', '09:00'),
  priority: 'medium', // standard/medium: 240 first response, 1440 resolution
  slaLevel: 'standard',
  status: 'open',
  ...over,
});

describe('evaluateSla: ticket first response (standard/medium: 240 business minutes)', () => {
  it('is due 240 business minutes after creation', () => {
    const r = evaluateSla(ticket(), mx('mon', '10:00'), config);
    expect(r.firstResponse.dueAt).toEqual(mx('mon', '13:00'));
    expect(r.firstResponse).toMatchObject({ state: 'ok', minutesLeft: 180, paused: false });
    expect(r.firstResponse.completedAt).toBeUndefined();
  });

  it('turns to warning within the lead time', () => {
    expect(evaluateSla(ticket(), mx('mon', '12:30'), config).firstResponse).toMatchObject({
      state: 'warning',
      minutesLeft: 30,
    });
    expect(evaluateSla(ticket(), mx('mon', '12:29'), config).firstResponse.state).toBe('ok');
  });

  it('is breached once past due, with negative minutesLeft', () => {
    expect(evaluateSla(ticket(), mx('mon', '13:00'), config).firstResponse.state).toBe('warning');
    expect(evaluateSla(ticket(), mx('mon', '13:30'), config).firstResponse).toMatchObject({
      state: 'breached',
      minutesLeft: -30,
    });
  });

  it('is met when the response came before due, breached when it came after', () => {
    const met = evaluateSla(ticket({ firstResponseAt: mx('mon', '11:00') }), mx('fri', '12:00'), config);
    expect(met.firstResponse).toMatchObject({
      state: 'met',
      minutesLeft: 120,
      completedAt: mx('mon', '11:00'),
    });
    const late = evaluateSla(ticket({ firstResponseAt: mx('mon', '14:00') }), mx('mon', '14:05'), config);
    expect(late.firstResponse).toMatchObject({ state: 'breached', minutesLeft: -60 });
  });

  it('counts business time: a ticket created Friday 17:00 is due Monday 12:00 (not breached on the weekend)', () => {
    const t = ticket({ createdAt: mx('fri', '17:00') });
    const r = evaluateSla(t, new Date('2026-03-08T18:00:00.000-06:00'), config); // Sunday
    expect(r.firstResponse.dueAt).toEqual(new Date('2026-03-09T12:00:00.000-06:00'));
    expect(r.firstResponse).toMatchObject({ state: 'ok', minutesLeft: 180 });
  });

  it('uses the level × priority target (vip urgent: 8 minutes)', () => {
    const r = evaluateSla(ticket({ slaLevel: 'vip', priority: 'urgent' }), mx('mon', '09:05'), config);
    expect(r.firstResponse.dueAt).toEqual(mx('mon', '09:08'));
    expect(r.firstResponse.state).toBe('warning');
  });
});

describe('evaluateSla: ticket resolution (standard/medium: 1440 business minutes)', () => {
  it('is due Wednesday 15:00 for a ticket created Monday 09:00', () => {
    const r = evaluateSla(ticket(), mx('mon', '09:00'), config);
    expect(r.resolution.dueAt).toEqual(mx('wed', '15:00'));
    expect(r.resolution).toMatchObject({ state: 'ok', minutesLeft: 1440 });
  });

  it('is met when resolved before due and breached after', () => {
    const met = evaluateSla(
      ticket({ status: 'resolved', resolvedAt: mx('tue', '12:00'), firstResponseAt: mx('mon', '10:00') }),
      mx('fri', '09:00'),
      config,
    );
    expect(met.resolution).toMatchObject({ state: 'met', completedAt: mx('tue', '12:00') });
    expect(met.firstResponse.state).toBe('met');
    const late = evaluateSla(
      ticket({ status: 'closed', closedAt: mx('thu', '10:00') }),
      mx('fri', '09:00'),
      config,
    );
    expect(late.resolution).toMatchObject({ state: 'breached', minutesLeft: -240 });
  });

  it('resolving without a recorded first response stops the first-response clock too', () => {
    const r = evaluateSla(
      ticket({ status: 'resolved', resolvedAt: mx('mon', '10:00') }),
      mx('fri', '09:00'),
      config,
    );
    expect(r.firstResponse).toMatchObject({ state: 'met', completedAt: mx('mon', '10:00') });
  });

  it('pauses while waiting on the customer: banked and running pause push the due time', () => {
    // banked 60, running since Tuesday 09:00, now Tuesday 11:00 → 180 paused minutes
    const t = ticket({
      status: 'waiting_customer',
      slaPausedMinutes: 60,
      waitingCustomerSince: mx('tue', '09:00'),
    });
    const r = evaluateSla(t, mx('tue', '11:00'), config);
    expect(r.resolution.dueAt).toEqual(mx('wed', '18:00')); // Wed 15:00 + 180 business minutes
    expect(r.resolution.paused).toBe(true);
    // the time left does not shrink while paused
    const later = evaluateSla(t, mx('wed', '17:00'), config);
    expect(later.resolution.minutesLeft).toBe(r.resolution.minutesLeft);
    expect(later.resolution.state).toBe('ok');
  });

  it('the first-response clock does not pause', () => {
    const t = ticket({ status: 'waiting_customer', waitingCustomerSince: mx('mon', '09:30') });
    expect(evaluateSla(t, mx('mon', '14:00'), config).firstResponse.state).toBe('breached');
  });
});

describe('SLA pause through the Ticket entity', () => {
  it('waiting_customer from Monday 10:00 to Tuesday 10:00 banks 540 business minutes and moves the estimate', () => {
    const t = aTicket().createdAt(mx('mon', '09:00')).build();
    expect(t.estimatedResolution).toEqual(mx('wed', '15:00'));
    t.changeStatus('waiting_customer', undefined, mx('mon', '10:00'), TEST_SLA);
    expect(t.waitingCustomerSince).toEqual(mx('mon', '10:00'));

    const during = evaluateSla(ticketSlaSubject(t.toPrimitives()), mx('tue', '10:00'), config);
    expect(during.resolution.dueAt).toEqual(mx('thu', '15:00'));

    expect(t.customerReplied(mx('tue', '10:00'), TEST_SLA)).toBe(true);
    expect(t.status).toBe('in_progress');
    expect(t.slaPausedMinutes).toBe(540);
    expect(t.waitingCustomerSince).toBeUndefined();
    expect(t.estimatedResolution).toEqual(mx('thu', '15:00'));

    const after = evaluateSla(ticketSlaSubject(t.toPrimitives()), mx('tue', '10:00'), config);
    expect(after.resolution).toMatchObject({ dueAt: mx('thu', '15:00'), paused: false });
  });

  it('a pause over the night only counts open minutes', () => {
    const t = aTicket().createdAt(mx('mon', '09:00')).build();
    t.changeStatus('waiting_customer', undefined, mx('mon', '17:00'), TEST_SLA);
    t.changeStatus('in_progress', undefined, mx('tue', '09:00'), TEST_SLA);
    expect(t.slaPausedMinutes).toBe(60);
    expect(t.estimatedResolution).toEqual(mx('wed', '16:00'));
  });
});

describe('evaluateSla: conversations', () => {
  const conv = (over: Partial<ConversationSlaSubject> = {}): ConversationSlaSubject => ({
    kind: 'conversation',
    id: testId(),
    createdAt: mx('mon', '09:00'),
    priority: 'medium',
    slaLevel: slaLevelForSegment('vip'), // vip/medium: 60 first response, 360 resolution
    status: 'assigned',
    ...over,
  });

  it('maps the vip segment to the vip level and everything else to standard', () => {
    expect(slaLevelForSegment('vip')).toBe('vip');
    expect(slaLevelForSegment('regular')).toBe('standard');
    expect(slaLevelForSegment('new')).toBe('standard');
    expect(slaLevelForSegment('inactive')).toBe('standard');
    expect(slaLevelForSegment(undefined)).toBe('standard');
  });

  it('measures the pending reply from awaitingResponseSince', () => {
    const c = conv({ awaitingResponseSince: mx('tue', '10:00'), firstResponseTime: 5 });
    const r = evaluateSla(c, mx('tue', '10:15'), config);
    expect(r.firstResponse).toMatchObject({ dueAt: mx('tue', '11:00'), state: 'ok', minutesLeft: 45 });
    expect(evaluateSla(c, mx('tue', '10:40'), config).firstResponse.state).toBe('warning');
    expect(evaluateSla(c, mx('tue', '11:05'), config).firstResponse.state).toBe('breached');
  });

  it('without a pending message reports the first response (met or late)', () => {
    const met = evaluateSla(conv({ firstResponseTime: 20 }), mx('wed', '10:00'), config);
    expect(met.firstResponse).toMatchObject({ state: 'met', completedAt: mx('mon', '09:20') });
    const late = evaluateSla(conv({ lastAgentResponse: mx('mon', '11:00') }), mx('wed', '10:00'), config);
    expect(late.firstResponse.state).toBe('breached');
  });

  it('a conversation never answered runs from createdAt', () => {
    const r = evaluateSla(conv({ status: 'open' }), mx('mon', '09:50'), config);
    expect(r.firstResponse).toMatchObject({ dueAt: mx('mon', '10:00'), state: 'warning', minutesLeft: 10 });
  });

  it('resolution: due createdAt + target; resolving stops it', () => {
    const r = evaluateSla(conv(), mx('mon', '14:00'), config);
    expect(r.resolution).toMatchObject({ dueAt: mx('mon', '15:00'), state: 'ok', minutesLeft: 60 });
    const resolved = evaluateSla(
      conv({ status: 'resolved', resolvedAt: mx('mon', '12:00'), firstResponseTime: 1 }),
      mx('fri', '09:00'),
      config,
    );
    expect(resolved.resolution.state).toBe('met');
    expect(resolved.firstResponse.state).toBe('met');
  });

  it('builds a subject from stored primitives', () => {
    const record: ConversationPrimitives = {
      id: testId(),
      customerId: testId(),
      status: 'open',
      priority: 'high',
      category: 'support',
      tags: [],
      isAIEnabled: true,
      aiModel: 'gpt-4',
      autoResponses: true,
      channel: 'whatsapp',
      messageCount: 1,
      unreadCount: 1,
      internalNotes: [],
      awaitingResponseSince: mx('mon', '09:10'),
      createdAt: mx('mon', '09:10'),
      updatedAt: mx('mon', '09:10'),
      version: 0,
    };
    const subject = conversationSlaSubject(record, 'standard');
    expect(subject).toMatchObject({
      kind: 'conversation',
      id: record.id,
      priority: 'high',
      slaLevel: 'standard',
      awaitingResponseSince: mx('mon', '09:10'),
    });
  });
});

describe('findSlaBreaches', () => {
  it('returns running clocks in warning or breach, most overdue first; ignores ok, met and paused', () => {
    const now = mx('mon', '13:10');
    const breached = ticket({ id: 'breached' }); // first response due 13:00
    const warning = ticket({ id: 'warning', createdAt: mx('mon', '09:30') }); // due 13:30 → 20 left
    const ok = ticket({ id: 'ok', createdAt: mx('mon', '12:00') });
    const met = ticket({ id: 'met', firstResponseAt: mx('mon', '09:05') });
    const pausedWarn = ticket({
      id: 'paused',
      slaLevel: 'vip',
      priority: 'urgent', // resolution 60 → due 10:00, breached but paused
      status: 'waiting_customer',
      firstResponseAt: mx('mon', '09:01'),
      createdAt: mx('mon', '09:00'),
      waitingCustomerSince: mx('mon', '13:00'),
    });
    const alerts = findSlaBreaches([ok, warning, met, breached, pausedWarn], now, config);
    expect(alerts.map((a) => [a.subject.id, a.clock, a.state])).toEqual([
      ['breached', 'firstResponse', 'breached'],
      ['warning', 'firstResponse', 'warning'],
    ]);
    expect(alerts[0]).toMatchObject({ dueAt: mx('mon', '13:00'), minutesLeft: -10 });
  });

  it('reports the resolution clock of a ticket overdue for resolution', () => {
    const t = ticket({ priority: 'urgent', firstResponseAt: mx('mon', '09:10') }); // resolution due 13:00
    const alerts = findSlaBreaches([t], mx('mon', '14:00'), config);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ clock: 'resolution', state: 'breached', minutesLeft: -60 });
  });

  it('returns nothing for an empty list', () => {
    expect(findSlaBreaches([], TICKET_T0, config)).toEqual([]);
  });
});
