import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';

export const NOTIFICATION_KINDS = [
  'assignment',
  'transfer',
  'sla_warning',
  'escalation',
  'window_closing',
  'window_closed',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotifyAgentInput {
  recipientAgentId: Id;
  kind: NotificationKind;
  title: string;
  body: string;
  conversationId?: Id;
  customerId?: Id;
  /** The ticket's database id and its human number (TICKET-YYYY-NNNNNN). */
  ticket?: { id: Id; number?: string };
}

export type EmailOutcome = 'sent' | 'not_wanted' | 'off' | 'no_address' | 'failed';

export interface NotifyAgentResult {
  delivered: boolean;
  email: EmailOutcome;
  emailError?: string;
}

/**
 * Tells one agent about something that concerns them, following their `preferences.notifications`:
 * always as a live `notification` event (payload `recipientAgentId`; `assignedAgent` is the
 * recipient too, so the live inbox shows it to them and to supervisors only), and by e-mail when
 * the agent has `email` on and a Mailer is configured. An unknown or deactivated agent is not
 * notified. An e-mail that fails is reported, never thrown: the event is what counts.
 */
export class NotifyAgent {
  constructor(private readonly ports: Pick<Ports, 'agents' | 'events' | 'clock' | 'mailer'>) {}

  async execute(input: NotifyAgentInput): Promise<NotifyAgentResult> {
    const agent = await this.ports.agents.findById(input.recipientAgentId);
    if (!agent?.isActive) return { delivered: false, email: 'not_wanted' };
    await this.ports.events.publish([
      {
        type: 'notification',
        occurredAt: this.ports.clock.now(),
        payload: {
          recipientAgentId: agent.id,
          assignedAgent: agent.id,
          kind: input.kind,
          title: input.title,
          body: input.body,
          ...(input.conversationId ? { conversationId: input.conversationId } : {}),
          ...(input.customerId ? { customerId: input.customerId } : {}),
          ...(input.ticket
            ? {
                ticketId: input.ticket.id,
                ...(input.ticket.number ? { ticketNumber: input.ticket.number } : {}),
              }
            : {}),
          channels: {
            push: agent.preferences.notifications.push,
            sound: agent.preferences.notifications.sound,
          },
        },
      },
    ]);
    if (!agent.preferences.notifications.email) return { delivered: true, email: 'not_wanted' };
    if (!this.ports.mailer) return { delivered: true, email: 'off' };
    if (!agent.email) return { delivered: true, email: 'no_address' };
    try {
      await this.ports.mailer.send({
        to: agent.email,
        subject: `[CRM] ${input.title}`,
        text: `Hola ${agent.firstName},\n\n${input.body}\n${references(input)}`,
      });
      return { delivered: true, email: 'sent' };
    } catch (error) {
      return {
        delivered: true,
        email: 'failed',
        emailError: error instanceof Error ? error.message : String(error),
      };
    }
  }
}

function references(input: NotifyAgentInput): string {
  const lines: string[] = [];
  if (input.conversationId) lines.push(`Conversation: ${input.conversationId}`);
  if (input.ticket) lines.push(`Ticket: ${input.ticket.number ?? input.ticket.id}`);
  return lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
}
