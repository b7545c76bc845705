import { describe, expect, it } from 'vitest';
import { BusinessRuleError, DuplicateError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { type CreateTicketInput, Ticket } from '../../../../src/domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../../../src/domain/ticket/ticket.types.js';
import { formatTicketId } from '../../../../src/domain/ticket/ticket-id.js';
import { aTicket, minutesAfter, TEST_SLA, TICKET_T0, testId } from '../../../support/builders/ticket.js';

/** Local Mexico City wall time (UTC-6) on the week of Monday 2026-03-02. */
const mx = (day: 'mon' | 'tue' | 'wed' | 'thu' | 'fri', hhmm: string): Date => {
  const date = { mon: '02', tue: '03', wed: '04', thu: '05', fri: '06' }[day];
  return new Date(`2026-03-${date}T${hhmm}:00.000-06:00`);
};
const later = (minutes: number): Date => minutesAfter(TICKET_T0, minutes);

const baseInput = (over: Partial<CreateTicketInput> = {}): CreateTicketInput => ({
  ticketId: formatTicketId(2026, 7),
  customerId: testId(),
  subject: 'No puedo pagar mi factura',
  description: 'El portal rechaza la tarjeta.',
  category: 'billing',
  ...over,
});
const create = (over: Partial<CreateTicketInput> = {}): Ticket =>
  Ticket.create(baseInput(over), { id: testId(), now: TICKET_T0, sla: TEST_SLA });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('Ticket.create', () => {
  it('applies the seed defaults and computes the estimated resolution in business time', () => {
    const t = create();
    expect(t.status).toBe('open');
    expect(t.priority).toBe('medium');
    expect(t.slaLevel).toBe('standard');
    expect(t.escalated).toBe(false);
    expect(t.notes).toEqual([]);
    expect(t.tags).toEqual([]);
    expect(t.relatedTickets).toEqual([]);
    expect(t.slaPausedMinutes).toBe(0);
    expect(t.version).toBe(0);
    expect(t.createdAt).toEqual(TICKET_T0);
    expect(t.updatedAt).toEqual(TICKET_T0);
    expect(t.lastActivityAt).toEqual(TICKET_T0);
    // Monday 09:00 + 1440 business minutes (Mon–Fri 09–18) → Wednesday 15:00
    expect(t.estimatedResolution).toEqual(mx('wed', '15:00'));
  });

  it('uses the target of the given priority and SLA level', () => {
    // vip/urgent resolution: 60 minutes
    expect(create({ priority: 'urgent', slaLevel: 'vip' }).estimatedResolution).toEqual(mx('mon', '10:00'));
  });

  it('records ticket.created with the routing fields', () => {
    const conversationId = testId();
    const assignedAgent = testId();
    const t = create({ conversationId, assignedAgent });
    const [event, ...rest] = t.pullEvents();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'ticket.created',
      occurredAt: TICKET_T0,
      payload: {
        ticketId: 'TICKET-2026-000007',
        id: t.id,
        customerId: t.customerId,
        conversationId,
        assignedAgent,
        status: 'open',
        priority: 'medium',
      },
    });
  });

  it('normalises subject, tags, labels, location and attachments', () => {
    const t = create({
      subject: '  Factura duplicada  ',
      tags: [' pago ', 'pago', '', 'urgente'],
      labels: [
        { name: 'VIP', color: '#FFAA00' },
        { name: 'vip', color: '#000' },
      ],
      location: { latitude: 19.43, longitude: -99.13 },
      attachments: [{ type: 'image', url: 'https://example.com/a.png' }],
    });
    const p = t.toPrimitives();
    expect(p.subject).toBe('Factura duplicada');
    expect(p.tags).toEqual(['pago', 'urgente']);
    expect(p.labels).toEqual([{ name: 'VIP', color: '#ffaa00' }]);
    expect(p.location).toEqual({ latitude: 19.43, longitude: -99.13, isServiceLocation: false });
    expect(p.attachments).toEqual([
      { type: 'image', url: 'https://example.com/a.png', uploadedAt: TICKET_T0 },
    ]);
  });

  it.each([
    ['subject', { subject: '   ' }, 'VALIDATION.REQUIRED'],
    ['subject', { subject: 'x'.repeat(201) }, 'VALIDATION.TOO_LONG'],
    ['description', { description: '' }, 'VALIDATION.REQUIRED'],
    ['category', { category: 'hardware' as CreateTicketInput['category'] }, 'VALIDATION.UNKNOWN_ENUM'],
    ['priority', { priority: 'critical' as CreateTicketInput['priority'] }, 'VALIDATION.UNKNOWN_ENUM'],
    ['slaLevel', { slaLevel: 'gold' as CreateTicketInput['slaLevel'] }, 'VALIDATION.UNKNOWN_ENUM'],
    ['ticketId', { ticketId: 'T-1' }, 'TICKET.INVALID_ID'],
    ['customerId', { customerId: 'abc' }, 'VALIDATION.INVALID_ID'],
    ['conversationId', { conversationId: 'abc' }, 'VALIDATION.INVALID_ID'],
    ['labels.0.color', { labels: [{ name: 'x', color: 'red' }] }, 'VALIDATION.INVALID_COLOR'],
    ['location.latitude', { location: { latitude: 91, longitude: 0 } }, 'VALIDATION.OUT_OF_RANGE'],
    ['attachments.0.type', { attachments: [{ type: 'zip', url: 'u' }] }, 'VALIDATION.UNKNOWN_ENUM'],
  ] as const)('refuses a bad %s', (field, over, code) => {
    const error = thrown(() => create(over as Partial<CreateTicketInput>));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field, code });
  });

  it('accepts a 200-character subject', () => {
    expect(create({ subject: 'x'.repeat(200) }).subject).toHaveLength(200);
  });
});

describe('primitives', () => {
  it('round-trips through toPrimitives / fromPrimitives without sharing state', () => {
    const t = aTicket().assignedTo(testId()).inStatus('resolved').build();
    t.addNote({ id: testId(), agent: testId(), content: 'nota' }, later(5));
    const p = t.toPrimitives();
    const again = Ticket.fromPrimitives(p);
    expect(again.toPrimitives()).toEqual(p);
    p.tags.push('mutated');
    p.resolution!.summary = 'mutated';
    expect(again.tags).toEqual([]);
    expect(again.resolution?.summary).not.toBe('mutated');
  });

  it('omits absent optional fields and tolerates nulls and missing arrays from storage', () => {
    const p = aTicket().buildPrimitives();
    expect('closedAt' in p).toBe(false);
    const legacy = {
      ...p,
      closedAt: null,
      notes: undefined,
      labels: undefined,
    } as unknown as TicketPrimitives;
    const t = Ticket.fromPrimitives(legacy);
    expect(t.closedAt).toBeUndefined();
    expect(t.notes).toEqual([]);
    expect(t.labels).toEqual([]);
  });

  it('validates enums when rehydrating', () => {
    const p = aTicket().buildPrimitives();
    expect(
      thrown(() => Ticket.fromPrimitives({ ...p, status: 'archived' as TicketPrimitives['status'] })),
    ).toMatchObject({
      field: 'status',
    });
    expect(
      thrown(() => Ticket.fromPrimitives({ ...p, category: 'x' as TicketPrimitives['category'] })),
    ).toMatchObject({ field: 'category' });
  });
});

describe('lifecycle details', () => {
  it('close sets closedAt and makes the ticket read-only except feedback, notes and relations', () => {
    const t = aTicket().build();
    t.close(undefined, later(10));
    expect(t.status).toBe('closed');
    expect(t.closedAt).toEqual(later(10));
    for (const fn of [
      () => t.assignTo(testId(), later(11)),
      () => t.update({ subject: 'nuevo' }, later(11)),
      () => t.changePriority('high', later(11)),
      () => t.setParent(testId(), later(11)),
      () => t.recordFirstResponse(later(11)),
    ]) {
      expect(thrown(fn)).toMatchObject({ code: 'TICKET.CLOSED' });
    }
    t.recordFeedback({ rating: 4 }, later(12));
    t.addNote({ id: testId(), agent: testId(), content: 'El cliente llamó' }, later(12));
    expect(t.relateTo(testId(), later(12))).toBe(true);
    expect(t.customerFeedback?.rating).toBe(4);
  });

  it('resolve fills the resolution, resolvedAt and resolutionTime', () => {
    const agent = testId();
    const t = aTicket().inStatus('in_progress').build();
    t.resolve(
      {
        summary: ' Cambio de equipo ',
        steps: ['Diagnóstico', ' ', 'Reemplazo'],
        resolvedBy: agent,
        resolutionCategory: 'workaround',
      },
      later(95),
    );
    expect(t.status).toBe('resolved');
    expect(t.resolution).toEqual({
      summary: 'Cambio de equipo',
      steps: ['Diagnóstico', 'Reemplazo'],
      resolvedBy: agent,
      resolvedAt: later(95),
      resolutionCategory: 'workaround',
    });
    expect(t.resolutionTime).toBe(95);
    const [event] = t.pullEvents();
    expect(event).toMatchObject({
      type: 'ticket.status_changed',
      payload: { from: 'in_progress', to: 'resolved', by: agent },
    });
  });

  it('resolve validates its input', () => {
    const t = aTicket().build();
    expect(
      thrown(() => t.resolve({ summary: '', resolvedBy: testId(), resolutionCategory: 'solved' }, later(1))),
    ).toMatchObject({ field: 'resolution.summary' });
    expect(
      thrown(() =>
        t.resolve({ summary: 'ok', resolvedBy: testId(), resolutionCategory: 'magic' as 'solved' }, later(1)),
      ),
    ).toMatchObject({ field: 'resolution.resolutionCategory' });
    expect(t.status).toBe('open');
  });

  it('reopening (resolved → in_progress) clears the resolution and keeps it in the event', () => {
    const t = aTicket().inStatus('resolved').build();
    const old = t.resolution;
    t.changeStatus('in_progress', testId(), later(60));
    expect(t.status).toBe('in_progress');
    expect(t.resolution).toBeUndefined();
    expect(t.resolutionTime).toBeUndefined();
    expect(t.toPrimitives()).not.toHaveProperty('resolution');
    const [event] = t.pullEvents();
    expect(event?.payload).toMatchObject({ reopened: true, previousResolution: old });
  });

  it('customerReplied moves waiting_customer back to in_progress, otherwise only touches activity', () => {
    const waiting = aTicket().inStatus('waiting_customer').build();
    expect(waiting.customerReplied(later(30), TEST_SLA)).toBe(true);
    expect(waiting.status).toBe('in_progress');
    expect(waiting.pullEvents()[0]).toMatchObject({
      type: 'ticket.status_changed',
      payload: { from: 'waiting_customer', to: 'in_progress', trigger: 'customer_replied' },
    });

    const working = aTicket().inStatus('in_progress').build();
    expect(working.customerReplied(later(30))).toBe(false);
    expect(working.status).toBe('in_progress');
    expect(working.lastActivityAt).toEqual(later(30));
    expect(working.pullEvents()).toEqual([]);
  });

  it('without a calendar the pause is counted in wall-clock minutes', () => {
    const t = aTicket().build();
    t.changeStatus('waiting_customer', undefined, mx('mon', '17:00'));
    t.changeStatus('in_progress', undefined, mx('tue', '09:00'));
    expect(t.slaPausedMinutes).toBe(16 * 60);
  });

  it('pauses accumulate across several waiting periods, and resolving from waiting ends the pause', () => {
    const t = aTicket().build();
    t.changeStatus('waiting_customer', undefined, mx('mon', '10:00'), TEST_SLA);
    t.changeStatus('waiting_internal', undefined, mx('mon', '10:30'), TEST_SLA);
    t.changeStatus('waiting_customer', undefined, mx('mon', '11:00'), TEST_SLA);
    t.resolve(
      { summary: 'ok', resolvedBy: testId(), resolutionCategory: 'solved' },
      mx('mon', '11:45'),
      TEST_SLA,
    );
    expect(t.slaPausedMinutes).toBe(75);
    expect(t.waitingCustomerSince).toBeUndefined();
    expect(t.estimatedResolution).toEqual(mx('wed', '16:15'));
  });
});

describe('first response', () => {
  it('is recorded the first time only', () => {
    const t = aTicket().build();
    expect(t.recordFirstResponse(later(42))).toBe(true);
    expect(t.firstResponseAt).toEqual(later(42));
    expect(t.firstResponseTime).toBe(42);
    expect(t.pullEvents()[0]).toMatchObject({ type: 'ticket.updated', payload: { firstResponseTime: 42 } });
    expect(t.recordFirstResponse(later(90))).toBe(false);
    expect(t.firstResponseAt).toEqual(later(42));
    expect(t.firstResponseTime).toBe(42);
    expect(t.pullEvents()).toEqual([]);
  });
});

describe('feedback', () => {
  it('is refused before resolution', () => {
    for (const status of ['open', 'in_progress', 'waiting_customer', 'waiting_internal'] as const) {
      const t = aTicket().inStatus(status).build();
      const error = thrown(() => t.recordFeedback({ rating: 5 }, later(5)));
      expect(error).toBeInstanceOf(BusinessRuleError);
      expect(error).toMatchObject({ code: 'TICKET.FEEDBACK_BEFORE_RESOLUTION' });
    }
  });

  it('validates the rating (integer 1..5)', () => {
    const t = aTicket().inStatus('resolved').build();
    for (const rating of [0, 6, 3.5, Number.NaN]) {
      expect(thrown(() => t.recordFeedback({ rating }, later(5)))).toMatchObject({
        field: 'customerFeedback.rating',
      });
    }
  });

  it('records the feedback on a resolved ticket', () => {
    const t = aTicket().inStatus('resolved').build();
    t.recordFeedback({ rating: 2, comment: ' Tardaron mucho ', followUpNeeded: true }, later(100));
    expect(t.customerFeedback).toEqual({
      rating: 2,
      comment: 'Tardaron mucho',
      submittedAt: later(100),
      followUpNeeded: true,
    });
    t.recordFeedback({ rating: 5 }, later(101));
    expect(t.customerFeedback).toEqual({ rating: 5, submittedAt: later(101), followUpNeeded: false });
  });
});

describe('notes, assignment, fields, relations', () => {
  it('adds notes (internal by default) and refuses a duplicate note id or empty content', () => {
    const t = aTicket().build();
    const id = testId();
    const agent = testId();
    t.addNote({ id, agent, content: 'Revisar logs', attachments: ['https://x/y.png'] }, later(3));
    expect(t.notes).toEqual([
      {
        id,
        agent,
        content: 'Revisar logs',
        isInternal: true,
        timestamp: later(3),
        attachments: ['https://x/y.png'],
      },
    ]);
    expect(thrown(() => t.addNote({ id, agent, content: 'otra' }, later(4)))).toBeInstanceOf(DuplicateError);
    expect(thrown(() => t.addNote({ id: testId(), agent, content: ' ' }, later(4)))).toMatchObject({
      field: 'notes.content',
    });
  });

  it('assignTo changes the agent and reports the previous one; the same agent is a no-op', () => {
    const first = testId();
    const second = testId();
    const t = aTicket().assignedTo(first).build();
    expect(t.assignTo(first, later(1))).toBe(false);
    expect(t.pullEvents()).toEqual([]);
    expect(t.assignTo(second, later(2))).toBe(true);
    expect(t.assignedAgent).toBe(second);
    expect(t.pullEvents()[0]).toMatchObject({
      type: 'ticket.updated',
      payload: { changes: ['assignedAgent'], assignedAgent: second, previousAgent: first },
    });
    expect(thrown(() => t.assignTo('nope', later(3)))).toMatchObject({ field: 'assignedAgent' });
  });

  it('update changes only what differs and lists the changed fields', () => {
    const t = aTicket().build();
    expect(t.update({ subject: t.subject, category: t.category }, later(1))).toBe(false);
    expect(t.pullEvents()).toEqual([]);
    expect(
      t.update(
        {
          subject: 'Nuevo asunto',
          subcategory: 'modem',
          tags: ['a'],
          labels: [{ name: 'Red', color: '#F00' }],
        },
        later(2),
      ),
    ).toBe(true);
    expect(t.subject).toBe('Nuevo asunto');
    expect(t.subcategory).toBe('modem');
    expect(t.labels).toEqual([{ name: 'Red', color: '#f00' }]);
    expect(t.pullEvents()[0]?.payload).toMatchObject({
      changes: ['subject', 'subcategory', 'tags', 'labels'],
    });
    t.update({ subcategory: null }, later(3));
    expect(t.subcategory).toBe(undefined);
    expect(thrown(() => t.update({ labels: [{ name: 'x', color: '#12345' }] }, later(4)))).toMatchObject({
      field: 'labels.0.color',
    });
    expect(thrown(() => t.update({ subject: '' }, later(4)))).toMatchObject({ field: 'subject' });
  });

  it('changePriority recomputes the estimate when the SLA context is given', () => {
    const t = aTicket().createdAt(mx('mon', '09:00')).build();
    expect(t.changePriority('high', later(1))).toBe(true);
    expect(t.priority).toBe('high');
    expect(t.estimatedResolution).toEqual(mx('wed', '15:00')); // unchanged without context
    t.changePriority('urgent', later(2), { sla: TEST_SLA });
    expect(t.estimatedResolution).toEqual(mx('mon', '13:00')); // 240 business minutes
    expect(t.pullEvents().at(-1)?.payload).toMatchObject({ previousPriority: 'high', priority: 'urgent' });
    expect(t.changePriority('urgent', later(3))).toBe(false);
  });

  it('relateTo refuses itself and ignores duplicates; setParent refuses itself', () => {
    const id = testId();
    const t = aTicket().withId(id).build();
    const other = testId();
    expect(thrown(() => t.relateTo(id, later(1)))).toMatchObject({ code: 'TICKET.SELF_REFERENCE' });
    expect(t.relateTo(other, later(1))).toBe(true);
    expect(t.relateTo(other, later(2))).toBe(false);
    expect(t.relatedTickets).toEqual([other]);
    expect(thrown(() => t.setParent(id, later(3)))).toMatchObject({ code: 'TICKET.SELF_REFERENCE' });
    expect(t.setParent(other, later(3))).toBe(true);
    expect(t.parentTicket).toBe(other);
    expect(t.setParent(other, later(4))).toBe(false);
  });
});

describe('escalation', () => {
  it('sets the escalation fields, raises the priority one step and records ticket.escalated', () => {
    const supervisor = testId();
    const by = testId();
    const t = aTicket().withPriority('medium').build();
    t.escalate({ to: supervisor, reason: 'Cliente molesto', by, now: later(20) });
    expect(t.escalated).toBe(true);
    expect(t.escalatedTo).toBe(supervisor);
    expect(t.escalatedAt).toEqual(later(20));
    expect(t.escalationReason).toBe('Cliente molesto');
    expect(t.priority).toBe('high');
    expect(t.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'ticket.escalated',
        payload: expect.objectContaining({
          escalatedTo: supervisor,
          reason: 'Cliente molesto',
          by,
          previousPriority: 'medium',
          priority: 'high',
          ticketId: t.ticketId,
        }),
      }),
    ]);
  });

  it('urgent stays urgent', () => {
    const t = aTicket().withPriority('urgent').build();
    t.escalate({ to: testId(), reason: 'SLA', now: later(1) });
    expect(t.priority).toBe('urgent');
  });

  it('escalating twice is refused', () => {
    const t = aTicket().build();
    t.escalate({ to: testId(), reason: 'SLA', now: later(1) });
    const error = thrown(() => t.escalate({ to: testId(), reason: 'otra vez', now: later(2) }));
    expect(error).toBeInstanceOf(BusinessRuleError);
    expect(error).toMatchObject({ code: 'TICKET.ALREADY_ESCALATED' });
    expect(t.priority).toBe('high');
  });

  it('is refused for resolved and closed tickets', () => {
    for (const status of ['resolved', 'closed'] as const) {
      const t = aTicket().inStatus(status).build();
      expect(thrown(() => t.escalate({ to: testId(), reason: 'x', now: later(5) }))).toMatchObject({
        code: 'TICKET.ESCALATION_NOT_ALLOWED',
      });
      expect(t.escalated).toBe(false);
    }
  });

  it('requires a reason and a valid target', () => {
    const t = aTicket().build();
    expect(thrown(() => t.escalate({ to: testId(), reason: ' ', now: later(1) }))).toMatchObject({
      field: 'escalationReason',
    });
    expect(thrown(() => t.escalate({ to: 'x', reason: 'r', now: later(1) }))).toMatchObject({
      field: 'escalatedTo',
    });
    expect(t.escalated).toBe(false);
  });

  it('optionally reassigns to the target and recomputes the estimate', () => {
    const previous = testId();
    const supervisor = testId();
    const t = aTicket().assignedTo(previous).createdAt(mx('mon', '09:00')).build();
    t.escalate({ to: supervisor, reason: 'SLA', now: later(1), reassign: true, sla: TEST_SLA });
    expect(t.assignedAgent).toBe(supervisor);
    expect(t.estimatedResolution).toEqual(mx('mon', '17:00')); // standard/high: 480
    expect(t.pullEvents()[0]?.payload).toMatchObject({ assignedAgent: supervisor, previousAgent: previous });
  });
});

describe('every mutator bumps updatedAt / lastActivityAt and records an event with the routing fields', () => {
  const cases: [string, (t: Ticket, now: Date) => void, string][] = [
    ['changeStatus', (t, now) => t.changeStatus('in_progress', undefined, now), 'ticket.status_changed'],
    ['close', (t, now) => t.close(undefined, now), 'ticket.status_changed'],
    [
      'resolve',
      (t, now) => t.resolve({ summary: 's', resolvedBy: testId(), resolutionCategory: 'solved' }, now),
      'ticket.status_changed',
    ],
    ['recordFirstResponse', (t, now) => t.recordFirstResponse(now), 'ticket.updated'],
    [
      'addNote',
      (t, now) => t.addNote({ id: testId(), agent: testId(), content: 'n' }, now),
      'ticket.updated',
    ],
    ['assignTo', (t, now) => t.assignTo(testId(), now), 'ticket.updated'],
    ['update', (t, now) => t.update({ description: 'otra' }, now), 'ticket.updated'],
    ['changePriority', (t, now) => t.changePriority('low', now), 'ticket.updated'],
    ['relateTo', (t, now) => t.relateTo(testId(), now), 'ticket.updated'],
    ['setParent', (t, now) => t.setParent(testId(), now), 'ticket.updated'],
    ['escalate', (t, now) => t.escalate({ to: testId(), reason: 'r', now }), 'ticket.escalated'],
  ];
  for (const [name, act, type] of cases) {
    it(name, () => {
      const conversationId = testId();
      const t = aTicket().forConversation(conversationId).build();
      const now = later(77);
      act(t, now);
      expect(t.updatedAt).toEqual(now);
      expect(t.lastActivityAt).toEqual(now);
      const events = t.pullEvents();
      expect(events).toHaveLength(1);
      expect(events[0]?.type).toBe(type);
      expect(events[0]?.occurredAt).toEqual(now);
      expect(events[0]?.payload).toMatchObject({
        ticketId: t.ticketId,
        id: t.id,
        customerId: t.customerId,
        conversationId,
      });
      expect(events[0]?.payload).toHaveProperty('assignedAgent', t.assignedAgent);
    });
  }

  it('recordFeedback', () => {
    const t = aTicket().inStatus('resolved').build();
    t.recordFeedback({ rating: 5 }, later(300));
    expect(t.updatedAt).toEqual(later(300));
    expect(t.lastActivityAt).toEqual(later(300));
    expect(t.pullEvents()[0]).toMatchObject({
      type: 'ticket.updated',
      payload: { changes: ['customerFeedback'] },
    });
  });
});
