import { rankCandidates } from '../../domain/assignment/assignment-policy.js';
import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { requireConversation, requireCustomer } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import { applyAgentStatistics } from './conversation-support.js';

/**
 * Gives an unassigned conversation to the best eligible agent: the customer's preferred agent
 * first, then the least loaded. Candidates are tried in order with an atomic capacity reservation,
 * so racing assignments never overfill an agent. Returns the conversation unchanged (still queued)
 * when auto-assignment is off, the customer is blocked, or nobody can take it.
 */
export class AutoAssignConversation {
  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'customers' | 'agents' | 'settings' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {}

  async execute(input: {
    conversationId: Id;
  }): Promise<{ conversation: ConversationPrimitives; assigned: boolean }> {
    const before = await requireConversation(this.ports, input.conversationId);
    if (before.assignedAgent || before.status === 'closed') return { conversation: before, assigned: false };
    const customer = await requireCustomer(this.ports, before.customerId);
    const settings = await loadSettings(this.ports);
    const max = settings.get('max_conversations_per_agent');
    const ranked = rankCandidates({
      candidates: await this.ports.agents.listOnline(),
      preferredAgentId: customer.preferences.preferredAgent,
      maxConversations: max,
      autoAssignmentEnabled: settings.get('auto_assignment_enabled'),
      customerBlocked: customer.isBlocked,
    });
    for (const candidate of ranked) {
      if (!(await this.ports.agents.reserveConversationSlot(candidate.id, max))) continue;
      const conversation = Conversation.fromPrimitives(before);
      conversation.assignTo(candidate.id, undefined, this.ports.clock.now());
      let saved: ConversationPrimitives;
      try {
        saved = await this.ports.conversations.update(conversation.toPrimitives());
      } catch (error) {
        await this.ports.agents.releaseConversationSlot(candidate.id);
        throw error;
      }
      await applyAgentStatistics(
        this.ports,
        { type: 'assigned', agentId: candidate.id },
        { slotReservedFor: candidate.id },
      );
      await recordActivity(
        this.ports,
        SYSTEM,
        {},
        {
          entityType: 'conversation',
          entityId: saved.id,
          action: 'assigned',
          before,
          after: saved,
          reason: 'auto-assignment',
        },
      );
      await publish(this.ports, conversation.pullEvents(), {
        assignedAgent: saved.assignedAgent,
        customerId: saved.customerId,
      });
      return { conversation: saved, assigned: true };
    }
    return { conversation: before, assigned: false };
  }
}
