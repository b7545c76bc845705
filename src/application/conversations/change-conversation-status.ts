import type { ActivityAction } from '../../domain/activity/activity.types.js';
import type { AssignmentEvent } from '../../domain/assignment/assignment-policy.js';
import { Conversation } from '../../domain/conversation/conversation.js';
import type {
  ConversationPrimitives,
  ConversationStatus,
} from '../../domain/conversation/conversation.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { type Actor, actorId, type RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireConversation } from '../shared/guards.js';
import { applyAgentStatistics, retryOnConflict } from './conversation-support.js';

export interface ChangeConversationStatusInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
  status: ConversationStatus;
  /** Resolution notes (when resolving) or the reason of the change. */
  notes?: string;
}

/** What a status change means for the agents' counters. */
function assignmentEventFor(
  before: ConversationPrimitives,
  after: ConversationPrimitives,
): AssignmentEvent | undefined {
  if (after.status === 'resolved') return { type: 'resolved', agentId: before.assignedAgent };
  if (after.status === 'closed')
    return { type: 'closed', agentId: before.assignedAgent, from: before.status };
  if (before.status === 'resolved' && after.assignedAgent)
    return { type: 'reopened', agentId: after.assignedAgent };
  if (before.assignedAgent && !after.assignedAgent && before.status !== 'resolved') {
    return { type: 'unassigned', agentId: before.assignedAgent };
  }
  return undefined;
}

function activityActionFor(before: ConversationStatus, after: ConversationStatus): ActivityAction {
  if (after === 'resolved') return 'resolved';
  if (after === 'closed') return 'closed';
  if (before === 'resolved') return 'reopened';
  return 'updated';
}

/** Moves a conversation through its lifecycle (waiting, resolved, closed, reopened, back to the queue). */
export class ChangeConversationStatus {
  constructor(
    private readonly ports: Pick<Ports, 'conversations' | 'agents' | 'activity' | 'events' | 'ids' | 'clock'>,
  ) {}

  /** Retried on a fresh read when the conversation changed meanwhile (retryOnConflict). */
  execute(input: ChangeConversationStatusInput): Promise<ConversationPrimitives> {
    return retryOnConflict(() => this.#attempt(input));
  }

  async #attempt(input: ChangeConversationStatusInput): Promise<ConversationPrimitives> {
    const before = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'conversation.changeStatus', {
      kind: 'conversation',
      assignedAgent: before.assignedAgent,
    });
    const conversation = Conversation.fromPrimitives(before);
    const now = this.ports.clock.now();
    const by = actorId(input.actor);
    if (input.status === 'resolved') conversation.resolve(by, now, input.notes);
    else if (input.status === 'closed') conversation.close(by, now);
    else conversation.changeStatus(input.status, by, now);

    const saved = await this.ports.conversations.update(conversation.toPrimitives());
    const event = assignmentEventFor(before, saved);
    if (event) await applyAgentStatistics(this.ports, event);
    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'conversation',
      entityId: saved.id,
      action: activityActionFor(before.status, saved.status),
      before,
      after: saved,
      reason: input.notes,
    });
    await publish(this.ports, conversation.pullEvents(), {
      assignedAgent: saved.assignedAgent ?? before.assignedAgent,
      customerId: saved.customerId,
    });
    return saved;
  }
}
