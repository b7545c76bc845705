import type { Id } from '../../domain/shared/ids.js';
import { chooseEscalationTarget } from '../../domain/sla/escalation.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { actorId } from '../shared/actor.js';
import { authorize, requireTicket } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { noEscalationTarget } from './ticket-errors.js';
import {
  authorizeOnTicket,
  requireTicketWorker,
  saveTicket,
  type TicketPorts,
  ticketSla,
} from './ticket-support.js';

export interface EscalateTicketCommand extends UseCaseInput {
  ticketId: Id;
  reason: string;
  /** Explicit target (an active agent with manage:tickets); default: chosen by `chooseEscalationTarget`. */
  to?: Id;
}

/**
 * Escalates a ticket: raises its priority one step (SLA estimate follows) and records who it went
 * to. Without an explicit `to`, the target is the holder's own supervisor, else an online
 * supervisor, else any supervisor, else an admin (`chooseEscalationTarget`) among the active
 * supervisors/admins able to work tickets; the holder is the assignee, or the acting agent for an
 * unassigned ticket. No candidate → TICKET.NO_ESCALATION_TARGET. With the `escalation_reassign`
 * setting on, the ticket is also assigned to the target. Escalating twice → TICKET.ALREADY_ESCALATED.
 */
export class EscalateTicket {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations' | 'agents' | 'settings'>) {}

  async execute(input: EscalateTicketCommand): Promise<TicketPrimitives> {
    authorize(input.actor, 'ticket.escalate');
    const before = await requireTicket(this.ports, input.ticketId);
    await authorizeOnTicket(this.ports, input.actor, 'ticket.escalate', before);

    const to =
      input.to === undefined
        ? await this.#chooseTarget(before, actorId(input.actor))
        : (await requireTicketWorker(this.ports, input.to)).id;

    const settings = await loadSettings(this.ports);
    const ticket = Ticket.fromPrimitives(before);
    const by = actorId(input.actor);
    ticket.escalate({
      to,
      reason: input.reason,
      now: this.ports.clock.now(),
      reassign: settings.get('escalation_reassign'),
      sla: ticketSla(settings),
      ...(by === undefined ? {} : { by }),
    });
    return saveTicket(this.ports, input.actor, input.meta, {
      before,
      ticket,
      action: 'escalated',
      reason: input.reason,
    });
  }

  async #chooseTarget(ticket: TicketPrimitives, actor: Id | undefined): Promise<Id> {
    const holderId = ticket.assignedAgent ?? actor;
    const holder = holderId === undefined ? null : await this.ports.agents.findById(holderId);
    const candidates = (await this.ports.agents.listSupervisors()).filter((a) =>
      a.permissions.includes('manage:tickets'),
    );
    const target = chooseEscalationTarget(
      holder
        ? { id: holder.id, ...(holder.supervisorId ? { supervisorId: holder.supervisorId } : {}) }
        : undefined,
      candidates,
    );
    if (!target) throw noEscalationTarget(ticket.id);
    return target.id;
  }
}
