import { modelFor } from '../../domain/ai/ai-policy.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize, requireConversation } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import { agentFacingCall, buildTranscript, requireAssistant } from './ai-support.js';

export interface SummarizeConversationInput {
  actor: Actor;
  conversationId: Id;
}

/**
 * `ai.summarize`: a short summary of the conversation for the agent (who wants what, what was done,
 * what is pending), from its last messages. Read-only: nothing is stored or sent. Needs `ai.use` on
 * the conversation. AI.NOT_CONFIGURED without an assistant; AI.UNAVAILABLE when the assistant fails.
 */
export class SummarizeConversation {
  constructor(private readonly ports: Pick<Ports, 'conversations' | 'messages' | 'settings' | 'ai'>) {}

  /** An empty summary (and no AI call) when the conversation has no message yet. */
  async execute(input: SummarizeConversationInput): Promise<{ summary: string; model: string }> {
    const conversation = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'ai.use', { kind: 'conversation', assignedAgent: conversation.assignedAgent });
    const ai = requireAssistant(this.ports);
    const settings = await loadSettings(this.ports);
    const model = modelFor(conversation.aiModel, settings.get('ai_model'));
    const transcript = await buildTranscript(this.ports, conversation.id, 50);
    if (!transcript) return { summary: '', model };
    const summary = await agentFacingCall(() => ai.summarize({ model, transcript, purpose: 'overview' }));
    return { summary: summary.trim(), model };
  }
}
