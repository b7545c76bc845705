import type { ActivityLogPrimitives } from '../../domain/activity/activity.types.js';
import { buildActivityEntry } from '../../domain/activity/activity-entry.js';
import type { Id } from '../../domain/shared/ids.js';

/**
 * Audit reasons written by the auth use cases. The seed's action enum has no login/logout, so
 * these are `updated` entries on the agent (`created` for the first admin) with the reason.
 */
export type AuthActivityReason =
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'password_changed'
  | 'first_admin_created';

export interface RequestOrigin {
  ip?: string;
  userAgent?: string;
}

const IP = /^[0-9a-fA-F:.]{2,45}$/;

export function authActivityEntry(input: {
  id: Id;
  agentId: Id;
  reason: AuthActivityReason;
  /** What changed; secret fields (passwordHash) are named in `changes` but their values are stripped. */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  performedBy?: Id;
  origin?: RequestOrigin;
  now: Date;
}): ActivityLogPrimitives {
  const ip = input.origin?.ip;
  return buildActivityEntry(
    {
      entityType: 'agent',
      entityId: input.agentId,
      action: input.reason === 'first_admin_created' ? 'created' : 'updated',
      reason: input.reason,
      ...(input.before === undefined ? {} : { before: input.before }),
      ...(input.after === undefined ? {} : { after: input.after }),
      ...(input.performedBy === undefined ? {} : { performedBy: input.performedBy }),
      // Only real addresses are recorded ("unknown" behind an odd proxy is left out, not refused).
      ...(ip !== undefined && IP.test(ip) ? { ipAddress: ip } : {}),
      ...(input.origin?.userAgent === undefined ? {} : { userAgent: input.origin.userAgent }),
    },
    { id: input.id, now: input.now },
  );
}
