/**
 * Test-data builder for the Ticket aggregate:
 *   aTicket().withPriority('high').assignedTo(agentId).inStatus('waiting_customer').build()
 *
 * Defaults: created Monday 2026-03-02 09:00 America/Mexico_City (15:00Z), default business hours
 * (Mon–Fri 09:00–18:00) and default SLA targets. `build()` clears the recorded events so a test
 * only sees the events of what it does next.
 */
import { randomBytes } from 'node:crypto';
import type { Priority } from '../../../src/domain/conversation/conversation.types.js';
import type { Id } from '../../../src/domain/shared/ids.js';
import { DEFAULT_BUSINESS_HOURS } from '../../../src/domain/sla/business-hours.js';
import { DEFAULT_SLA_TARGETS } from '../../../src/domain/sla/sla-targets.js';
import {
  type CreateTicketInput,
  Ticket,
  type TicketContext,
  type TicketSlaContext,
} from '../../../src/domain/ticket/ticket.js';
import type { SlaLevel, TicketPrimitives, TicketStatus } from '../../../src/domain/ticket/ticket.types.js';
import { formatTicketId } from '../../../src/domain/ticket/ticket-id.js';

export const testId = (): Id => randomBytes(12).toString('hex');

/** Monday 2026-03-02 09:00 in Mexico City (UTC-6, no DST). */
export const TICKET_T0 = new Date('2026-03-02T15:00:00.000Z');

export const minutesAfter = (base: Date, minutes: number): Date =>
  new Date(base.getTime() + minutes * 60_000);

export const TEST_SLA: TicketSlaContext = {
  hours: DEFAULT_BUSINESS_HOURS,
  zone: 'America/Mexico_City',
  targets: DEFAULT_SLA_TARGETS,
};

let seq = 0;

export class TicketBuilder {
  #input: CreateTicketInput;
  #ctx: TicketContext;
  #status: TicketStatus = 'open';
  #agent: Id = testId();

  constructor() {
    seq += 1;
    this.#input = {
      ticketId: formatTicketId(2026, seq),
      customerId: testId(),
      subject: 'El router no enciende',
      description: 'El cliente indica que el router no enciende desde ayer.',
      category: 'technical_support',
    };
    this.#ctx = { id: testId(), now: new Date(TICKET_T0), sla: TEST_SLA };
  }

  with(overrides: Partial<CreateTicketInput>): this {
    this.#input = { ...this.#input, ...overrides };
    return this;
  }
  withId(id: Id): this {
    this.#ctx = { ...this.#ctx, id };
    return this;
  }
  withPriority(priority: Priority): this {
    return this.with({ priority });
  }
  withSlaLevel(slaLevel: SlaLevel): this {
    return this.with({ slaLevel });
  }
  assignedTo(agentId: Id): this {
    this.#agent = agentId;
    return this.with({ assignedAgent: agentId });
  }
  forConversation(conversationId: Id): this {
    return this.with({ conversationId });
  }
  createdAt(now: Date): this {
    this.#ctx = { ...this.#ctx, now };
    return this;
  }
  withSla(sla: TicketSlaContext): this {
    this.#ctx = { ...this.#ctx, sla };
    return this;
  }
  /** Walks the lifecycle from `open` to `status`, one minute after creation. */
  inStatus(status: TicketStatus): this {
    this.#status = status;
    return this;
  }

  build(): Ticket {
    const ticket = Ticket.create(this.#input, this.#ctx);
    const at = minutesAfter(this.#ctx.now, 1);
    const calendar = this.#ctx.sla;
    switch (this.#status) {
      case 'open':
        break;
      case 'resolved':
        ticket.resolve(
          {
            summary: 'Se reinició el equipo',
            steps: ['Reinicio'],
            resolvedBy: this.#agent,
            resolutionCategory: 'solved',
          },
          at,
          calendar,
        );
        break;
      default:
        ticket.changeStatus(this.#status, this.#agent, at, calendar);
    }
    ticket.pullEvents();
    return ticket;
  }

  buildPrimitives(): TicketPrimitives {
    return this.build().toPrimitives();
  }
}

export const aTicket = (): TicketBuilder => new TicketBuilder();
