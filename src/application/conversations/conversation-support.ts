import type { AssignmentEvent } from '../../domain/assignment/assignment-policy.js';
import { statisticsDeltaFor } from '../../domain/assignment/assignment-policy.js';
import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import { BusinessRuleError, ConcurrencyError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { publish } from '../shared/events.js';

/** Applies the per-agent `$inc` deltas of an assignment event (the capacity slot excluded when reserved separately). */
export async function applyAgentStatistics(
  ports: Pick<Ports, 'agents'>,
  event: AssignmentEvent,
  options: { slotReservedFor?: Id } = {},
): Promise<void> {
  for (const [agentId, delta] of Object.entries(statisticsDeltaFor(event))) {
    const inc = { ...delta };
    if (agentId === options.slotReservedFor) delete inc.currentActiveConversations;
    if (inc.currentActiveConversations === -1) {
      await ports.agents.releaseConversationSlot(agentId);
      delete inc.currentActiveConversations;
    }
    if (Object.keys(inc).length > 0) await ports.agents.incrementStatistics(agentId, inc);
  }
}

/**
 * Reserves a capacity slot for `agentId` (atomic: two racing assignments never push an agent
 * over the limit), refusing with AGENT.AT_CAPACITY when the agent is full.
 */
export async function reserveSlot(ports: Pick<Ports, 'agents'>, agentId: Id, max: number): Promise<void> {
  if (!(await ports.agents.reserveConversationSlot(agentId, max))) {
    throw new BusinessRuleError('AGENT.AT_CAPACITY', `The agent already has ${max} active conversations`, {
      agentId,
      max,
    });
  }
}

/**
 * Saves a conversation that was just given to `agentId`, holding one of the agent's capacity
 * slots for it: the slot is reserved first (atomic, refuses AGENT.AT_CAPACITY) and given back if
 * the save fails (e.g. a stale write), so a refused assignment never leaks capacity.
 */
export async function saveWithReservedSlot(
  ports: Pick<Ports, 'agents' | 'conversations'>,
  conversation: Conversation,
  agentId: Id,
  max: number,
): Promise<ConversationPrimitives> {
  await reserveSlot(ports, agentId, max);
  try {
    return await ports.conversations.update(conversation.toPrimitives());
  } catch (error) {
    await ports.agents.releaseConversationSlot(agentId);
    throw error;
  }
}

/**
 * Loads, mutates and saves a conversation, retrying on a stale write: used by system flows
 * (webhooks, jobs) where the change is re-applied to the fresh state rather than refused.
 * Returns the conversation as saved and the events it recorded (already published).
 */
export async function mutateConversation<T>(
  ports: Pick<Ports, 'conversations' | 'events'>,
  id: Id,
  change: (conversation: Conversation) => T,
  attempts = 5,
): Promise<{ saved: ConversationPrimitives; result: T }> {
  for (let attempt = 1; ; attempt++) {
    const record = await ports.conversations.findById(id);
    if (!record) throw new BusinessRuleError('CONVERSATION.NOT_FOUND', `conversation ${id} does not exist`);
    const conversation = Conversation.fromPrimitives(record);
    const result = change(conversation);
    try {
      const saved = await ports.conversations.update(conversation.toPrimitives());
      await publish(ports, conversation.pullEvents(), {
        assignedAgent: saved.assignedAgent,
        customerId: saved.customerId,
      });
      return { saved, result };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= attempts) throw error;
    }
  }
}

/** Attempts of an agent's command on a conversation that finds it changed meanwhile (retryOnConflict). */
const COMMAND_ATTEMPTS = 3;

/**
 * Runs an agent's command on a conversation (read → check → change → save → audit → publish) again
 * on a fresh read when its save finds the conversation changed since its own read — by a background
 * job (the survey, the SLA watcher, the inbox), the AI or another agent. The command carries no
 * version the agent saw, so its rules (permission, transition) are simply checked again on the
 * current state; nothing of a failed attempt was written (its save is the first write, or, for an
 * assignment, the reserved slot is given back). Other errors, and a third conflict, are thrown.
 */
export async function retryOnConflict<T>(command: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await command();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= COMMAND_ATTEMPTS) throw error;
    }
  }
}
