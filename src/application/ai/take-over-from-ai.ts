import type { Id } from '../../domain/shared/ids.js';
import { mutateConversation } from '../conversations/conversation-support.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';

export type TakeOverCause = 'agent_message' | 'manual_assignment' | 'transfer';

const CAUSE_TEXT: Record<TakeOverCause, string> = {
  agent_message: 'an agent wrote to the customer',
  manual_assignment: 'a person assigned the conversation',
  transfer: 'the conversation was transferred to an agent',
};

/**
 * A human took the conversation over from the AI: its `isAIEnabled` goes off, so the assistant
 * stops answering (condition 5 of the decision rule). Taking over is an agent's message to the
 * customer, or an assignment / transfer made by a person; automatic assignment is not. The AI
 * worker runs this on `message.sent` (sender agent), `conversation.assigned` (with `assignedBy`)
 * and `conversation.transferred`. An agent gives the conversation back by switching AI on again
 * (UpdateConversation `isAIEnabled: true`). Nothing happens when AI is already off or it is closed.
 */
export class TakeOverFromAi {
  constructor(
    private readonly ports: Pick<Ports, 'conversations' | 'activity' | 'events' | 'ids' | 'clock'>,
  ) {}

  async execute(input: {
    conversationId: Id;
    cause: TakeOverCause;
    agentId?: Id;
  }): Promise<{ switchedOff: boolean }> {
    const before = await this.ports.conversations.findById(input.conversationId);
    if (!before?.isAIEnabled || before.status === 'closed') return { switchedOff: false };
    const now = this.ports.clock.now();
    const { result: switched } = await mutateConversation(this.ports, before.id, (c) => {
      if (!c.isAIEnabled || c.isClosed) return false;
      c.setAIEnabled(false, now);
      return true;
    });
    if (!switched) return { switchedOff: false };
    await recordActivity(
      this.ports,
      SYSTEM,
      {},
      {
        entityType: 'conversation',
        entityId: before.id,
        action: 'updated',
        before: { isAIEnabled: true },
        after: { isAIEnabled: false, ...(input.agentId ? { takenOverBy: input.agentId } : {}) },
        reason: `AI switched off: ${CAUSE_TEXT[input.cause]}`,
      },
    );
    return { switchedOff: true };
  }
}
