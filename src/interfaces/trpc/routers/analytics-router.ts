import { z } from 'zod';
import { MAX_REPORT_DAYS } from '../../../application/analytics/analytics-support.js';
import { permissionProcedure, router } from '../trpc.js';
import { id, isoInstant, using } from './router-support.js';

/** `from` (inclusive) and `to` (exclusive) as ISO instants; `to` after `from`, at most 366 days later. */
const rangeFields = { from: isoInstant, to: isoInstant };
const checkRange = (v: { from: Date; to: Date }, ctx: z.RefinementCtx) => {
  const span = v.to.getTime() - v.from.getTime();
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (span > MAX_REPORT_DAYS * 86_400_000) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `must be at most ${MAX_REPORT_DAYS} days after from`,
    });
  }
};

const analytics = permissionProcedure('view:analytics');

export const analyticsRouter = router({
  /** Team-wide figures: volumes, response and resolution times, CSAT, SLA breaches. */
  overview: analytics.input(z.object(rangeFields).superRefine(checkRange)).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.analytics.overview.execute({ actor, from: input.from, to: input.to });
  }),

  /** Per agent (or one agent): handled, resolved, times, CSAT, SLA breaches. */
  agentPerformance: analytics
    .input(z.object({ ...rangeFields, agentId: id.optional() }).superRefine(checkRange))
    .query(({ ctx, input }) => {
      const { uc, actor } = using(ctx);
      return uc.analytics.agentPerformance.execute({ actor, ...input });
    }),
});
