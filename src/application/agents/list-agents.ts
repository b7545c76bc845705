import { Agent, type AgentPublic } from '../../domain/agent/agent.js';
import type { AgentRole, AgentStatus } from '../../domain/agent/agent.types.js';
import type { Page } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import { authorize } from '../shared/guards.js';
import { type PageInput, toPageRequest, type UseCaseInput } from '../shared/use-case-input.js';

export interface ListAgentsQuery extends UseCaseInput, PageInput {
  role?: AgentRole;
  status?: AgentStatus;
  isActive?: boolean;
}

/** The agent directory (public view, no password hashes), newest first. */
export class ListAgents {
  constructor(private readonly ports: Pick<Ports, 'agents'>) {}

  async execute(input: ListAgentsQuery): Promise<Page<AgentPublic>> {
    authorize(input.actor, 'agent.read');
    const page = await this.ports.agents.list(
      {
        ...(input.role === undefined ? {} : { role: input.role }),
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.isActive === undefined ? {} : { isActive: input.isActive }),
      },
      toPageRequest(input),
    );
    return {
      items: page.items.map((a) => Agent.fromPrimitives(a).toPublic()),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    };
  }
}
