import type { DomainEvent } from '../../domain/shared/events.js';
import type { Id } from '../../domain/shared/ids.js';
import { claimOnce } from '../operations/claim-once.js';
import type { Ports } from '../ports/ports.js';
import {
  type NotificationKind,
  NotifyAgent,
  type NotifyAgentInput,
  type NotifyAgentResult,
} from './notify-agent.js';

/** The event types that may notify someone (the workers subscribe the notifier to these). */
export const NOTIFYING_EVENTS = new Set([
  'conversation.assigned',
  'conversation.transferred',
  'conversation.updated',
  'ticket.updated',
  'ticket.escalated',
  'sla.warning',
  'window.closing',
  'window.closed',
]);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * Who gets told what about one event:
 * - `conversation.assigned` / ticket assignment: the new agent (not when they took it themselves);
 * - `conversation.transferred`: the agent it was transferred to;
 * - an escalation (`ticket.escalated`, a conversation marked escalated): the supervisor it went to,
 *   and the assigned agent when that is someone else;
 * - `sla.warning`, `window.closing`, `window.closed`: the assigned agent.
 */
export function notificationsFor(event: DomainEvent): NotifyAgentInput[] {
  const p = event.payload as Record<string, unknown>;
  const assigned = str(p.assignedAgent);
  const conversationId = str(p.conversationId);
  const customerId = str(p.customerId);
  const isTicket = event.type.startsWith('ticket.') || p.subject === 'ticket';
  const ticket =
    isTicket && str(p.id)
      ? { id: str(p.id)!, ...(str(p.ticketId) ? { number: str(p.ticketId)! } : {}) }
      : undefined;
  const about = ticket ? `Ticket ${ticket.number ?? ticket.id}` : 'A conversation';
  const base = {
    ...(conversationId ? { conversationId } : {}),
    ...(customerId ? { customerId } : {}),
    ...(ticket ? { ticket } : {}),
  };
  const to = (
    recipientAgentId: Id | undefined,
    kind: NotificationKind,
    title: string,
    body: string,
  ): NotifyAgentInput[] => (recipientAgentId ? [{ recipientAgentId, kind, title, body, ...base }] : []);

  switch (event.type) {
    case 'conversation.assigned':
      if (assigned && str(p.assignedBy) === assigned) return [];
      return to(
        assigned,
        'assignment',
        'New conversation assigned to you',
        'A conversation was assigned to you.',
      );
    case 'conversation.transferred':
      return to(
        assigned,
        'transfer',
        'Conversation transferred to you',
        'A conversation was transferred to you.',
      );
    case 'ticket.updated': {
      const changes = Array.isArray(p.changes) ? p.changes : [];
      if (!changes.includes('assignedAgent') || (assigned && str(p.by) === assigned)) return [];
      return to(assigned, 'assignment', `${about} assigned to you`, `${about} was assigned to you.`);
    }
    case 'ticket.escalated':
    case 'conversation.updated': {
      const escalatedTo = str(p.escalatedTo);
      if (
        event.type === 'conversation.updated' &&
        !(p.changes as { escalated?: unknown } | undefined)?.escalated
      )
        return [];
      if (!escalatedTo) return [];
      const reason = str(p.reason);
      const body = `${about} was escalated to you${reason ? `: ${reason}` : '.'}`;
      return [
        ...to(escalatedTo, 'escalation', `${about} escalated to you`, body),
        ...(assigned && assigned !== escalatedTo
          ? to(
              assigned,
              'escalation',
              `${about} was escalated`,
              `${about} you handle was escalated to a supervisor${reason ? `: ${reason}` : '.'}`,
            )
          : []),
      ];
    }
    case 'sla.warning':
      return to(
        assigned,
        'sla_warning',
        `SLA warning: ${about.toLowerCase()} needs you`,
        str(p.message) ?? `${about} is close to its SLA target.`,
      );
    case 'window.closing':
      return to(
        assigned,
        'window_closing',
        'WhatsApp window closing: the customer is waiting',
        str(p.message) ?? 'Answer before the 24-hour window closes.',
      );
    case 'window.closed':
      return to(
        assigned,
        'window_closed',
        'WhatsApp window closed: use a template',
        str(p.message) ??
          'The 24-hour window closed with the customer unanswered: only an approved template can reach them.',
      );
    default:
      return [];
  }
}

/**
 * The notifier: turns one published event into the notifications it implies (notificationsFor).
 * Every node's subscriber sees every event (with the Redis bus), so each notification is claimed
 * once across nodes first, keyed by the event (type, subject, instant) and the recipient.
 */
export class NotifyOnEvent {
  readonly #notify: NotifyAgent;

  constructor(
    private readonly ports: Pick<Ports, 'agents' | 'events' | 'clock' | 'mailer' | 'jobLocks' | 'ids'>,
  ) {
    this.#notify = new NotifyAgent(ports);
  }

  async execute(event: DomainEvent): Promise<NotifyAgentResult[]> {
    if (!NOTIFYING_EVENTS.has(event.type)) return [];
    const results: NotifyAgentResult[] = [];
    for (const notification of notificationsFor(event)) {
      const subject = notification.ticket?.id ?? notification.conversationId ?? 'none';
      const key = `notify:${event.type}:${subject}:${notification.recipientAgentId}:${notification.kind}:${new Date(event.occurredAt).getTime()}`;
      if (!(await claimOnce(this.ports, key, 7 * 24 * 3_600_000))) continue;
      results.push(await this.#notify.execute(notification));
    }
    return results;
  }
}
