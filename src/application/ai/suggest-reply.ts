import { modelFor } from '../../domain/ai/ai-policy.js';
import { TEXT_MAX_LENGTH } from '../../domain/message/message.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize, requireConversation } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import { agentFacingCall, buildTranscript, requireAssistant, truncate } from './ai-support.js';

export interface SuggestReplyInput {
  actor: Actor;
  conversationId: Id;
}

/**
 * `ai.suggestReply`: a draft of the next message for the agent to edit and send. It is never sent
 * and nothing is stored (no message, no outbox entry, no server-side AI state): the agent sends it,
 * or not, through `messages.send`. Needs `ai.use` on the conversation. AI.NOT_CONFIGURED without an
 * assistant; AI.UNAVAILABLE when the assistant fails.
 */
export class SuggestReply {
  constructor(private readonly ports: Pick<Ports, 'conversations' | 'messages' | 'settings' | 'ai'>) {}

  async execute(input: SuggestReplyInput): Promise<{ draft: string; model: string }> {
    const conversation = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'ai.use', { kind: 'conversation', assignedAgent: conversation.assignedAgent });
    const ai = requireAssistant(this.ports);
    const settings = await loadSettings(this.ports);
    const model = modelFor(conversation.aiModel, settings.get('ai_model'));
    const transcript = await buildTranscript(this.ports, conversation.id);
    const draft = await agentFacingCall(() =>
      ai.draftReply({ model, instructions: settings.get('ai_instructions'), transcript }),
    );
    return { draft: truncate(draft.trim(), TEXT_MAX_LENGTH), model };
  }
}
