import type { PageRequest } from '../ports/pagination.js';
import type { Actor, RequestMeta } from './actor.js';

/** What every use case input carries: who acts, and where the request came from (for the audit log). */
export interface UseCaseInput {
  actor: Actor;
  meta?: RequestMeta;
}

/** Paging fields of list use cases. */
export interface PageInput {
  /** 1..200; default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export const DEFAULT_PAGE_SIZE = 50;

export const toPageRequest = (input: PageInput): PageRequest => ({
  limit: input.limit ?? DEFAULT_PAGE_SIZE,
  ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
});
