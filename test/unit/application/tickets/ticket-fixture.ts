/** Ticket use cases wired on the in-memory adapters, with a stored customer, conversation and agents. */

import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { AddTicketNote } from '../../../../src/application/tickets/add-ticket-note.js';
import { AssignTicket } from '../../../../src/application/tickets/assign-ticket.js';
import { ChangeTicketStatus } from '../../../../src/application/tickets/change-ticket-status.js';
import { CreateTicket, type CreateTicketCommand } from '../../../../src/application/tickets/create-ticket.js';
import { EscalateTicket } from '../../../../src/application/tickets/escalate-ticket.js';
import { GetTicket } from '../../../../src/application/tickets/get-ticket.js';
import { ListTickets } from '../../../../src/application/tickets/list-tickets.js';
import { RecordTicketFeedback } from '../../../../src/application/tickets/record-ticket-feedback.js';
import { RelateTickets } from '../../../../src/application/tickets/relate-tickets.js';
import { ResolveTicket } from '../../../../src/application/tickets/resolve-ticket.js';
import { UpdateTicket } from '../../../../src/application/tickets/update-ticket.js';
import type { TicketPrimitives } from '../../../../src/domain/ticket/ticket.types.js';
import { makeTestPorts, seedAgent } from '../../../support/test-ports.js';
import { seedConversation, seedCustomer } from '../../../support/test-seeds.js';

export async function ticketFixture() {
  const ports = makeTestPorts();
  const admin = await seedAgent(ports, 'admin');
  const supervisor = await seedAgent(ports, 'supervisor');
  const ana = await seedAgent(ports, 'agent', { firstName: 'Ana' });
  const ben = await seedAgent(ports, 'agent', { firstName: 'Ben' });
  const customer = await seedCustomer(ports);
  const conversation = await seedConversation(ports, customer.id, {
    assignedAgent: ana.record.id,
    status: 'assigned',
  });

  const uc = {
    create: new CreateTicket(ports),
    update: new UpdateTicket(ports),
    changeStatus: new ChangeTicketStatus(ports),
    assign: new AssignTicket(ports),
    addNote: new AddTicketNote(ports),
    escalate: new EscalateTicket(ports),
    resolve: new ResolveTicket(ports),
    feedback: new RecordTicketFeedback(ports),
    relate: new RelateTickets(ports),
    list: new ListTickets(ports),
    get: new GetTicket(ports),
  };

  /** Opens a ticket for the stored customer (as the admin unless another actor is given). */
  async function openTicket(
    fields: Partial<Omit<CreateTicketCommand, 'actor'>> = {},
    actor: AgentActor = admin.actor,
  ): Promise<TicketPrimitives> {
    return uc.create.execute({
      actor,
      customerId: customer.id,
      subject: 'No puedo pagar',
      description: 'La tarjeta es rechazada',
      category: 'billing',
      ...fields,
    });
  }

  /** The same agent with its permissions narrowed to `permissions` (e.g. without manage:tickets). */
  const withOnly = (actor: AgentActor, ...permissions: AgentActor['permissions']): AgentActor => ({
    ...actor,
    permissions,
  });

  return { ports, admin, supervisor, ana, ben, customer, conversation, uc, openTicket, withOnly };
}

export type TicketFixture = Awaited<ReturnType<typeof ticketFixture>>;
