/**
 * Steps shared by the ticket use cases: scoped authorization, the save → audit → publish
 * sequence, and the checks on an agent who is given a ticket.
 */
import type { ActivityAction } from '../../domain/activity/activity.types.js';
import type { AgentPrimitives } from '../../domain/agent/agent.types.js';
import type { Action } from '../../domain/authorization/authorize.js';
import type { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ticket, TicketSlaContext } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireAgent } from '../shared/guards.js';
import { assigneeNotEligible } from './ticket-errors.js';

/**
 * Authorizes `action` on a stored ticket. A plain agent may act on a ticket assigned to someone
 * else only when the ticket's conversation is theirs, so that conversation is looked up (only in
 * that case).
 */
export async function authorizeOnTicket(
  ports: Pick<Ports, 'conversations'>,
  actor: Actor,
  action: Action,
  ticket: TicketPrimitives,
): Promise<void> {
  if (actor.kind === 'system') return;
  let conversationAssignedAgent: Id | undefined;
  if (
    actor.role === 'agent' &&
    ticket.assignedAgent !== undefined &&
    ticket.assignedAgent !== actor.id &&
    ticket.conversationId !== undefined
  ) {
    conversationAssignedAgent = (await ports.conversations.findById(ticket.conversationId))?.assignedAgent;
  }
  authorize(actor, action, {
    kind: 'ticket',
    ...(ticket.assignedAgent === undefined ? {} : { assignedAgent: ticket.assignedAgent }),
    ...(conversationAssignedAgent === undefined ? {} : { conversationAssignedAgent }),
  });
}

export type TicketPorts = Pick<Ports, 'tickets' | 'activity' | 'ids' | 'clock' | 'events'>;

/**
 * Saves a changed ticket (optimistic: a stale version throws ConcurrencyError and nothing else
 * happens), writes its audit entry, then publishes the events the entity recorded.
 */
export async function saveTicket(
  ports: TicketPorts,
  actor: Actor,
  meta: RequestMeta | undefined,
  change: { before: TicketPrimitives; ticket: Ticket; action: ActivityAction; reason?: string },
): Promise<TicketPrimitives> {
  const saved = await ports.tickets.update(change.ticket.toPrimitives());
  await recordActivity(ports, actor, meta ?? {}, {
    entityType: 'ticket',
    entityId: saved.id,
    action: change.action,
    before: change.before,
    after: saved,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  });
  await publish(ports, change.ticket.pullEvents());
  return saved;
}

/** The agent who is given a ticket must exist (NotFound), be active and be able to work tickets. */
export async function requireTicketWorker(
  ports: Pick<Ports, 'agents'>,
  agentId: Id,
): Promise<AgentPrimitives> {
  const agent = await requireAgent(ports, agentId);
  if (!agent.isActive) throw assigneeNotEligible(agentId, 'inactive');
  if (!agent.permissions.includes('manage:tickets')) throw assigneeNotEligible(agentId, 'missing_permission');
  return agent;
}

/** What the ticket's SLA maths needs from the settings. */
export const ticketSla = (settings: SettingsSnapshot): TicketSlaContext => ({
  ...settings.businessCalendar(),
  targets: settings.get('sla_targets'),
});
