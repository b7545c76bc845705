import type { MessagePrimitives } from '../../domain/message/message.types.js';
import { BusinessRuleError, ConcurrencyError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { type AiAssistant, AiAssistantError, type AiFailureKind } from '../ports/gateways.js';
import type { Ports } from '../ports/ports.js';

export const AI_ERRORS = {
  NOT_CONFIGURED: 'AI.NOT_CONFIGURED',
  UNAVAILABLE: 'AI.UNAVAILABLE',
} as const;

/** The assistant, or AI.NOT_CONFIGURED when the service runs without OPENAI_API_KEY. */
export function requireAssistant(ports: Pick<Ports, 'ai'>): AiAssistant {
  if (!ports.ai) {
    throw new BusinessRuleError(
      AI_ERRORS.NOT_CONFIGURED,
      'The AI assistant is not configured on this server',
    );
  }
  return ports.ai;
}

/** The failure kind of whatever an AI call threw (anything unexpected counts as `unavailable`). */
export const failureKindOf = (error: unknown): AiFailureKind =>
  error instanceof AiAssistantError ? error.kind : 'unavailable';

/** Runs an agent-facing AI call, turning an AI failure into AI.UNAVAILABLE (a refusal the client can show). */
export async function agentFacingCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof AiAssistantError)) throw error;
    throw new BusinessRuleError(
      AI_ERRORS.UNAVAILABLE,
      error.kind === 'circuit_open' || error.kind === 'timeout' || error.kind === 'unavailable'
        ? 'The AI assistant is not answering right now; try again in a moment'
        : 'The AI assistant could not produce an answer',
      { kind: error.kind },
    );
  }
}

const SPEAKER: Record<MessagePrimitives['sender'], string> = {
  customer: 'Customer',
  agent: 'Agent',
  ai: 'Assistant',
  system: 'System',
};
const LINE_MAX = 1_000;
const TRANSCRIPT_MAX = 12_000;

/**
 * The last `limit` messages of a conversation, oldest first, one line each (`Customer: …`,
 * `Agent: …`, `Assistant: …`), each cut to 1,000 characters and the whole to its last 12,000.
 */
export async function buildTranscript(
  ports: Pick<Ports, 'messages'>,
  conversationId: Id,
  limit = 30,
): Promise<string> {
  const page = await ports.messages.listByConversation(conversationId, { limit });
  const lines = [...page.items].reverse().map((m) => {
    const text = m.content.replace(/\s+/g, ' ').trim();
    return `${SPEAKER[m.sender]}: ${text.length > LINE_MAX ? `${text.slice(0, LINE_MAX - 1)}…` : text}`;
  });
  const transcript = lines.join('\n');
  return transcript.length > TRANSCRIPT_MAX ? transcript.slice(-TRANSCRIPT_MAX) : transcript;
}

/** Cuts `text` to `max` characters (an ellipsis marks the cut). */
export const truncate = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** Retries `write` when it hits a stale version (another writer saved the record in between). */
export async function retryOnConflict<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= attempts) throw error;
    }
  }
}
