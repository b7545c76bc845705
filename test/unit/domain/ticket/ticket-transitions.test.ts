import { describe, expect, it } from 'vitest';
import { BusinessRuleError, IllegalTransitionError } from '../../../../src/domain/shared/errors.js';
import { canTransition, TICKET_TRANSITIONS, type Ticket } from '../../../../src/domain/ticket/ticket.js';
import { TICKET_STATUSES, type TicketStatus } from '../../../../src/domain/ticket/ticket.types.js';
import { aTicket, minutesAfter, TEST_SLA, TICKET_T0, testId } from '../../../support/builders/ticket.js';

const AT = minutesAfter(TICKET_T0, 30);
const agent = testId();

function move(ticket: Ticket, to: TicketStatus): void {
  if (to === 'resolved') {
    ticket.resolve(
      { summary: 'Listo', steps: [], resolvedBy: agent, resolutionCategory: 'solved' },
      AT,
      TEST_SLA,
    );
  } else {
    ticket.changeStatus(to, agent, AT, TEST_SLA);
  }
}

describe('TICKET_TRANSITIONS', () => {
  it('is the agreed table', () => {
    expect(TICKET_TRANSITIONS).toEqual({
      open: ['in_progress', 'waiting_customer', 'waiting_internal', 'resolved', 'closed'],
      in_progress: ['waiting_customer', 'waiting_internal', 'resolved', 'closed'],
      waiting_customer: ['in_progress', 'waiting_internal', 'resolved', 'closed'],
      waiting_internal: ['in_progress', 'waiting_customer', 'resolved', 'closed'],
      resolved: ['in_progress', 'closed'],
      closed: [],
    });
  });
});

describe('every status pair through the entity', () => {
  for (const from of TICKET_STATUSES) {
    for (const to of TICKET_STATUSES) {
      const allowed = TICKET_TRANSITIONS[from].includes(to);
      it(`${from} → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
        const ticket = aTicket().inStatus(from).build();
        expect(ticket.status).toBe(from);
        if (allowed) {
          move(ticket, to);
          expect(ticket.status).toBe(to);
          const events = ticket.pullEvents();
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({ type: 'ticket.status_changed', payload: { from, to } });
        } else {
          let error: unknown;
          try {
            move(ticket, to);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(IllegalTransitionError);
          expect(error).toMatchObject({ code: 'TICKET.ILLEGAL_TRANSITION', from, to });
          expect(ticket.status).toBe(from);
          expect(ticket.pullEvents()).toEqual([]);
        }
      });
    }
  }
});

describe('moving to resolved', () => {
  for (const from of TICKET_STATUSES.filter((s) => canTransition(s, 'resolved'))) {
    it(`changeStatus('resolved') from ${from} is refused: a resolution is required`, () => {
      const ticket = aTicket().inStatus(from).build();
      expect(() => ticket.changeStatus('resolved', agent, AT)).toThrowError(
        expect.objectContaining({ code: 'TICKET.RESOLUTION_REQUIRED' }),
      );
      expect(() => ticket.changeStatus('resolved', agent, AT)).toThrow(BusinessRuleError);
      expect(ticket.status).toBe(from);
    });
  }

  it('changeStatus to an unknown status is a validation error', () => {
    const ticket = aTicket().build();
    expect(() => ticket.changeStatus('archived' as TicketStatus, agent, AT)).toThrowError(
      expect.objectContaining({ field: 'status', code: 'VALIDATION.UNKNOWN_ENUM' }),
    );
  });
});
