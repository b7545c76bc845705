import { Agent, type AgentPreferencesPatch, type AgentPublic } from '../../domain/agent/agent.js';
import type { AgentRole } from '../../domain/agent/agent.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { assertAcceptablePassword } from '../auth/auth-errors.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { publish } from '../shared/events.js';
import { authorize } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { assertNoPrivilegeEscalation, requireSupervisor } from './agent-support.js';

export interface CreateAgentCommand extends UseCaseInput {
  email: string;
  /** 12..1024 characters; stored only as a hash. */
  password: string;
  firstName: string;
  lastName: string;
  /** Default 'agent'. */
  role?: AgentRole;
  phone?: string;
  department?: string;
  avatar?: string;
  /** Default: the role's permissions. */
  permissions?: string[];
  preferences?: AgentPreferencesPatch;
  /** An active supervisor or admin. */
  supervisorId?: Id;
}

/**
 * Creates an agent account (`agent.manage`). The password is checked (AUTH.PASSWORD_TOO_SHORT)
 * and hashed only after every other field is valid; a taken e-mail → the repository's
 * DuplicateError (AGENT.DUPLICATE_EMAIL). Returns the public view (no hash).
 */
export class CreateAgent {
  constructor(
    private readonly ports: Pick<Ports, 'agents' | 'passwords' | 'activity' | 'events' | 'clock' | 'ids'>,
  ) {}

  async execute(input: CreateAgentCommand): Promise<AgentPublic> {
    const { actor, meta, password, ...fields } = input;
    authorize(actor, 'agent.manage');
    assertAcceptablePassword('password', password);
    if (fields.supervisorId !== undefined) await requireSupervisor(this.ports, fields.supervisorId);

    const id = this.ports.ids.next();
    const now = this.ports.clock.now();
    // Validates every field before spending a (deliberately slow) hash.
    const draft = Agent.create({ ...fields, passwordHash: 'pending' }, { id, now });
    assertNoPrivilegeEscalation(actor, { role: draft.role, permissions: draft.permissions });

    const agent = Agent.create(
      { ...fields, passwordHash: await this.ports.passwords.hash(password) },
      { id, now },
    );
    const created = agent.toPrimitives();
    await this.ports.agents.insert(created);
    await recordActivity(this.ports, actor, meta ?? {}, {
      entityType: 'agent',
      entityId: created.id,
      action: 'created',
      after: created,
    });
    await publish(this.ports, agent.pullEvents());
    return agent.toPublic();
  }
}
