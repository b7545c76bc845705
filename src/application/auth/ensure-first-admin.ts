import { Agent } from '../../domain/agent/agent.js';
import { DuplicateError } from '../../domain/shared/errors.js';
import type { PasswordGenerator } from '../ports/auth.js';
import type { Clock, EventBus, IdGenerator, PasswordHasher } from '../ports/gateways.js';
import type { ActivityLogRepository, AgentRepository } from '../ports/repositories.js';
import { authActivityEntry } from './auth-activity.js';
import { assertAcceptablePassword } from './auth-errors.js';

export const DEFAULT_ADMIN_EMAIL = 'admin@crm.local';

export interface EnsureFirstAdminInput {
  /** ADMIN_EMAIL; defaults to admin@crm.local. */
  email?: string;
  /** ADMIN_PASSWORD; when absent a strong one is generated and returned once. */
  password?: string;
}

export type EnsureFirstAdminResult =
  | { created: false }
  | { created: true; agentId: string; email: string; generatedPassword?: string };

/**
 * Creates the first administrator when there is no agent at all, so a fresh install can be
 * logged into. Does nothing once any agent exists; a concurrent start on another node that wins
 * the race (same e-mail) is also "nothing to do".
 */
export class EnsureFirstAdmin {
  constructor(
    private readonly agents: AgentRepository,
    private readonly activity: ActivityLogRepository,
    private readonly events: EventBus,
    private readonly hasher: PasswordHasher,
    private readonly passwords: PasswordGenerator,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(input: EnsureFirstAdminInput = {}): Promise<EnsureFirstAdminResult> {
    if ((await this.agents.count()) > 0) return { created: false };

    const generatedPassword = input.password === undefined ? this.passwords.generate() : undefined;
    const password = input.password ?? generatedPassword!;
    assertAcceptablePassword('ADMIN_PASSWORD', password);

    const now = this.clock.now();
    const agent = Agent.create(
      {
        email: input.email ?? DEFAULT_ADMIN_EMAIL,
        passwordHash: await this.hasher.hash(password),
        firstName: 'Admin',
        lastName: 'Administrator',
        role: 'admin',
      },
      { id: this.ids.next(), now },
    );
    try {
      await this.agents.insert(agent.toPrimitives());
    } catch (err) {
      if (err instanceof DuplicateError) return { created: false };
      throw err;
    }
    await this.events.publish(agent.pullEvents());
    await this.activity.append(
      authActivityEntry({ id: this.ids.next(), agentId: agent.id, reason: 'first_admin_created', now }),
    );
    return {
      created: true,
      agentId: agent.id,
      email: agent.email,
      ...(generatedPassword === undefined ? {} : { generatedPassword }),
    };
  }
}
