import { z } from 'zod';
import { ENTITY_TYPES } from '../../../domain/activity/activity.types.js';
import { authedProcedure, router } from '../trpc.js';
import { id, pageFields, using } from './router-support.js';

/**
 * The audit trail. Needs `view:analytics`, except an agent reading their own trail (decided by the
 * use cases, hence no coarse permission here).
 */
export const activityRouter = router({
  byEntity: authedProcedure
    .input(z.object({ entityType: z.enum(ENTITY_TYPES), entityId: id, ...pageFields }))
    .query(({ ctx, input }) => {
      const { uc, actor } = using(ctx);
      return uc.activity.byEntity.execute({ actor, ...input });
    }),

  byAgent: authedProcedure.input(z.object({ agentId: id, ...pageFields })).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.activity.byAgent.execute({ actor, ...input });
  }),
});
