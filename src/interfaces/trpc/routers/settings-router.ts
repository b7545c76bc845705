import { z } from 'zod';
import { permissionProcedure, router } from '../trpc.js';
import { using } from './router-support.js';

const key = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'is not a setting key');

const MAX_DEPTH = 6;
const MAX_NODES = 2_000;

/**
 * A JSON value whose object keys are plain names (no `$` prefix, no `.`), at most MAX_DEPTH deep and
 * MAX_NODES large. The setting's own schema (in the domain) then decides what is valid.
 */
function isPlainJson(value: unknown): boolean {
  let nodes = 0;
  const walk = (v: unknown, depth: number): boolean => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return false;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
    if (typeof v === 'number') return Number.isFinite(v);
    if (Array.isArray(v)) return v.every((item) => walk(item, depth + 1));
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.entries(v).every(
        ([k, item]) => !k.startsWith('$') && !k.includes('.') && walk(item, depth + 1),
      );
    }
    return false;
  };
  return walk(value, 0);
}

const setInput = z.object({
  key,
  value: z.unknown().refine(isPlainJson, {
    message: `must be plain JSON (no "$" or "." in keys, at most ${MAX_DEPTH} levels)`,
  }),
});

export const settingsRouter = router({
  /** Every setting with its effective value. */
  list: permissionProcedure('read:conversations').query(({ ctx }) => {
    const { uc, actor } = using(ctx);
    return uc.settings.list.execute({ actor });
  }),

  get: permissionProcedure('read:conversations')
    .input(z.object({ key }))
    .query(({ ctx, input }) => {
      const { uc, actor } = using(ctx);
      return uc.settings.get.execute({ actor, key: input.key });
    }),

  /** Changes one setting (admin); the value is checked against the setting's schema (field `value`). */
  set: permissionProcedure('system:admin')
    .input(setInput)
    .mutation(({ ctx, input }) => {
      const { uc, actor, meta } = using(ctx);
      return uc.settings.update.execute({ actor, meta, key: input.key, value: input.value });
    }),
});
