import { ValidationError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { ResolutionCategory, TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { actorId } from '../shared/actor.js';
import { authorize, requireAgent, requireTicket } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { authorizeOnTicket, saveTicket, type TicketPorts } from './ticket-support.js';

export interface ResolveTicketCommand extends UseCaseInput {
  ticketId: Id;
  summary: string;
  steps?: string[];
  resolutionCategory: ResolutionCategory;
  /** Only for the system actor (an agent always resolves as themselves). */
  resolvedBy?: Id;
}

/** Resolves a ticket with its resolution (resolvedBy = the acting agent). Calendar passed for the pause. */
export class ResolveTicket {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations' | 'agents' | 'settings'>) {}

  async execute(input: ResolveTicketCommand): Promise<TicketPrimitives> {
    authorize(input.actor, 'ticket.write');
    const before = await requireTicket(this.ports, input.ticketId);
    await authorizeOnTicket(this.ports, input.actor, 'ticket.write', before);

    let resolvedBy = actorId(input.actor);
    if (resolvedBy === undefined) {
      if (input.resolvedBy === undefined) {
        throw new ValidationError(
          'resolvedBy',
          'is required when the system resolves a ticket',
          'VALIDATION.REQUIRED',
        );
      }
      resolvedBy = (await requireAgent(this.ports, input.resolvedBy)).id;
    }

    const ticket = Ticket.fromPrimitives(before);
    const calendar = (await loadSettings(this.ports)).businessCalendar();
    ticket.resolve(
      {
        summary: input.summary,
        resolvedBy,
        resolutionCategory: input.resolutionCategory,
        ...(input.steps === undefined ? {} : { steps: input.steps }),
      },
      this.ports.clock.now(),
      calendar,
    );
    return saveTicket(this.ports, input.actor, input.meta, { before, ticket, action: 'resolved' });
  }
}
