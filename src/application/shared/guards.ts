import type { AgentPrimitives } from '../../domain/agent/agent.types.js';
import { type Action, assertAuthorized, type Resource } from '../../domain/authorization/authorize.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { assertId } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from './actor.js';

/** Checks an agent's right to act; the system actor (webhooks, jobs) is always allowed. */
export function authorize(actor: Actor, action: Action, resource?: Resource): void {
  if (actor.kind === 'system') return;
  assertAuthorized(actor, action, resource);
}

export async function requireConversation(
  ports: Pick<Ports, 'conversations'>,
  id: Id,
): Promise<ConversationPrimitives> {
  const found = await ports.conversations.findById(assertId('conversationId', id));
  if (!found) throw new NotFoundError('conversation', id);
  return found;
}

export async function requireCustomer(ports: Pick<Ports, 'customers'>, id: Id): Promise<CustomerPrimitives> {
  const found = await ports.customers.findById(assertId('customerId', id));
  if (!found) throw new NotFoundError('customer', id);
  return found;
}

export async function requireAgent(ports: Pick<Ports, 'agents'>, id: Id): Promise<AgentPrimitives> {
  const found = await ports.agents.findById(assertId('agentId', id));
  if (!found) throw new NotFoundError('agent', id);
  return found;
}

export async function requireTicket(ports: Pick<Ports, 'tickets'>, id: Id): Promise<TicketPrimitives> {
  const found = await ports.tickets.findById(assertId('ticketId', id));
  if (!found) throw new NotFoundError('ticket', id);
  return found;
}
