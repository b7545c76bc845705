import { z } from 'zod';
import { permissionProcedure, router } from '../trpc.js';
import { id, using } from './router-support.js';

const byConversation = z.object({ conversationId: id });

/** `ai.use` needs `write:messages`; the use cases also check the conversation's scope. */
const useAi = permissionProcedure('write:messages');

/**
 * The agent's AI tools. Both are mutations: each call costs an OpenAI request and its answer
 * differs from call to call, so clients must not cache or batch-retry them as queries.
 * Refusals: AI.NOT_CONFIGURED (no OPENAI_API_KEY) and AI.UNAVAILABLE (the assistant failed or its
 * circuit breaker is open) as PRECONDITION_FAILED.
 */
export const aiRouter = router({
  /** A draft of the next message for the agent to edit; never sent, nothing stored. */
  suggestReply: useAi.input(byConversation).mutation(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.ai.suggestReply.execute({ actor, conversationId: input.conversationId });
  }),

  /** A short summary of the conversation (what the customer wants, what was done, what is pending). */
  summarize: useAi.input(byConversation).mutation(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.ai.summarize.execute({ actor, conversationId: input.conversationId });
  }),
});
