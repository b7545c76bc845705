/** Agent use cases wired on the in-memory adapters, with one stored agent of every role. */
import { CreateAgent } from '../../../../src/application/agents/create-agent.js';
import { DeactivateAgent } from '../../../../src/application/agents/deactivate-agent.js';
import { GetAgent } from '../../../../src/application/agents/get-agent.js';
import { ListAgents } from '../../../../src/application/agents/list-agents.js';
import { ReactivateAgent } from '../../../../src/application/agents/reactivate-agent.js';
import { SetOwnStatus } from '../../../../src/application/agents/set-own-status.js';
import { UpdateAgent } from '../../../../src/application/agents/update-agent.js';
import { UpdateOwnPreferences } from '../../../../src/application/agents/update-own-preferences.js';
import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { makeTestPorts, seedAgent } from '../../../support/test-ports.js';

export const PASSWORD = 'a long enough passphrase';

export async function agentFixture() {
  const ports = makeTestPorts();
  const admin = await seedAgent(ports, 'admin');
  const supervisor = await seedAgent(ports, 'supervisor');
  const ana = await seedAgent(ports, 'agent', { firstName: 'Ana' });
  const uc = {
    create: new CreateAgent(ports),
    update: new UpdateAgent(ports),
    deactivate: new DeactivateAgent(ports),
    reactivate: new ReactivateAgent(ports),
    setOwnStatus: new SetOwnStatus(ports),
    updateOwnPreferences: new UpdateOwnPreferences(ports),
    list: new ListAgents(ports),
    get: new GetAgent(ports),
  };
  const withOnly = (actor: AgentActor, ...permissions: AgentActor['permissions']): AgentActor => ({
    ...actor,
    permissions,
  });
  return { ports, admin, supervisor, ana, uc, withOnly };
}

export type AgentFixture = Awaited<ReturnType<typeof agentFixture>>;
