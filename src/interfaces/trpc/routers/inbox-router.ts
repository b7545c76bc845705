import { tracked } from '@trpc/server';
import { z } from 'zod';
import { permissionProcedure, router } from '../trpc.js';
import { using } from './router-support.js';

const eventsInput = z
  .object({
    /** Set by the client on reconnect (tRPC does it for `tracked()` events): replays what was missed. */
    lastEventId: z.string().trim().min(1).max(64).nullish(),
  })
  .optional();

export const inboxRouter = router({
  /**
   * The live inbox over the websocket: every domain event the agent may see (a plain agent: their
   * conversations, the queue, and transfers away from them), each `tracked` by its bus id so a
   * reconnecting client resumes where it stopped, with no gap and no duplicate.
   */
  events: permissionProcedure('read:conversations')
    .input(eventsInput)
    .subscription(async function* ({ ctx, input, signal }) {
      const { uc, actor } = using(ctx);
      const lastEventId = input?.lastEventId ?? undefined;
      for await (const event of uc.inbox.follow.execute({ actor, lastEventId, signal })) {
        yield tracked(event.id, event);
      }
    }),
});
