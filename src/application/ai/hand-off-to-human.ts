import { HANDOFF_REASON_TEXT, type HandoffReason } from '../../domain/ai/ai-policy.js';
import { INTERNAL_NOTE_MAX_LENGTH } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { AddInternalNote } from '../conversations/add-internal-note.js';
import { AutoAssignConversation } from '../conversations/auto-assign-conversation.js';
import { mutateConversation } from '../conversations/conversation-support.js';
import type { AiFailureKind, MessageUnderstanding } from '../ports/gateways.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { buildTranscript, failureKindOf, retryOnConflict, truncate } from './ai-support.js';

export const CONVERSATION_HANDOFF = 'conversation.handoff';

export interface HandOffInput {
  conversationId: Id;
  reason: HandoffReason;
  /** The customer message that triggered it. */
  messageId?: Id;
  understanding?: MessageUnderstanding;
  /** What went wrong when `reason` is `assistant_failed`. */
  failure?: AiFailureKind;
  /** The model for the summary. */
  model: string;
}

export interface HandOffResult {
  conversation: ConversationPrimitives;
  /** An agent holds the conversation now (it had one already, or auto-assignment found one). */
  assigned: boolean;
  /** The AI's summary in the note, when it could be written. */
  summary?: string;
  /** The agent the note was filed under (the assignee, else a supervisor); undefined: no note. */
  noteFiledUnder?: Id;
}

/**
 * The AI gives the conversation to a person:
 *  1. AI off for the conversation and priority one step up (one save, retried on stale writes;
 *     publishes `conversation.updated`);
 *  2. the conversation goes to an agent: it keeps its agent, or auto-assignment gives it to the best
 *     eligible one, or it stays in the queue (no agent online / auto-assignment off);
 *  3. the activity log records the hand-off and its reason;
 *  4. a `conversation.handoff` event tells the live inbox at once (reason, priority, agent);
 *  5. the assistant summarises the conversation (what the customer wants, what was tried) into an
 *     internal note for the agent; when the summary itself fails, a plain note says so. The note is
 *     filed under the assigned agent, or — queued — under the first active supervisor/admin.
 * A closed conversation is left alone.
 */
export class HandOffToHuman {
  readonly #autoAssign: AutoAssignConversation;
  readonly #addNote: AddInternalNote;

  constructor(
    private readonly ports: Pick<
      Ports,
      | 'conversations'
      | 'customers'
      | 'agents'
      | 'messages'
      | 'settings'
      | 'activity'
      | 'events'
      | 'ids'
      | 'clock'
      | 'ai'
    >,
  ) {
    this.#autoAssign = new AutoAssignConversation(ports);
    this.#addNote = new AddInternalNote(ports);
  }

  async execute(input: HandOffInput): Promise<HandOffResult | undefined> {
    const before = await this.ports.conversations.findById(input.conversationId);
    if (!before || before.status === 'closed') return undefined;
    const now = this.ports.clock.now();

    const { saved } = await mutateConversation(this.ports, input.conversationId, (c) => {
      c.setAIEnabled(false, now);
      c.raisePriority(now);
    });
    let conversation = saved;
    if (!conversation.assignedAgent) {
      conversation = (await retryOnConflict(() => this.#autoAssign.execute({ conversationId: saved.id })))
        .conversation;
    }
    const assigned = conversation.assignedAgent !== undefined;

    await recordActivity(
      this.ports,
      SYSTEM,
      {},
      {
        entityType: 'conversation',
        entityId: conversation.id,
        action: 'updated',
        before: {
          isAIEnabled: before.isAIEnabled,
          priority: before.priority,
          assignedAgent: before.assignedAgent,
        },
        after: {
          isAIEnabled: false,
          priority: conversation.priority,
          assignedAgent: conversation.assignedAgent,
          handoffReason: input.reason,
          ...(input.failure ? { failure: input.failure } : {}),
        },
        reason: `AI hand-off: ${HANDOFF_REASON_TEXT[input.reason]}`,
      },
    );
    await publish(this.ports, [
      {
        type: CONVERSATION_HANDOFF,
        occurredAt: now,
        payload: {
          conversationId: conversation.id,
          customerId: conversation.customerId,
          assignedAgent: conversation.assignedAgent,
          reason: input.reason,
          priority: conversation.priority,
          assigned,
          ...(input.messageId ? { messageId: input.messageId } : {}),
          ...(input.failure ? { failure: input.failure } : {}),
        },
      },
    ]);

    const summary = await this.#summary(input);
    const author = conversation.assignedAgent ?? (await this.ports.agents.listSupervisors())[0]?.id;
    if (author) {
      const content = noteFor(input, summary);
      conversation = await retryOnConflict(() =>
        this.#addNote.execute({ actor: SYSTEM, conversationId: conversation.id, content, asAgent: author }),
      );
    }
    return {
      conversation,
      assigned,
      ...(summary.text ? { summary: summary.text } : {}),
      ...(author ? { noteFiledUnder: author } : {}),
    };
  }

  async #summary(input: HandOffInput): Promise<{ text?: string; failure?: AiFailureKind }> {
    if (!this.ports.ai) return { failure: 'unavailable' };
    try {
      const transcript = await buildTranscript(this.ports, input.conversationId);
      const text = (
        await this.ports.ai.summarize({ model: input.model, transcript, purpose: 'handoff' })
      ).trim();
      return text ? { text } : { failure: 'invalid_output' };
    } catch (error) {
      return { failure: failureKindOf(error) };
    }
  }
}

function noteFor(input: HandOffInput, summary: { text?: string; failure?: AiFailureKind }): string {
  const lines = [`[AI assistant] Handed over to a person: ${HANDOFF_REASON_TEXT[input.reason]}.`];
  if (input.failure) lines.push(`AI failure: ${input.failure}.`);
  const u = input.understanding;
  if (u) {
    lines.push(
      `Last message: intent ${u.intent}, sentiment ${u.sentiment}, confidence ${u.confidence.toFixed(2)}` +
        `${u.entities.length ? `, mentions ${u.entities.join(', ')}` : ''}.`,
    );
  }
  if (summary.text) {
    lines.push('', 'Summary:', summary.text);
  } else {
    lines.push(
      '',
      `The automatic summary could not be written (AI ${summary.failure ?? 'unavailable'}): please read the conversation history.`,
    );
  }
  return truncate(lines.join('\n'), INTERNAL_NOTE_MAX_LENGTH);
}
