import type { FastifyRequest } from 'fastify';
import { ErrorCodes, SyncWorkerError } from '../errors.js';
import type { ApiContext } from './context.js';
import { currentUserOrg } from './rls.js';

/** How long a user found in auth.users_extended is not looked up again. @defaultValue 30 s */
export const PROVISIONED_CACHE_MS = 30_000;
/** Users remembered at most (the oldest is forgotten first). */
const CACHE_SIZE = 10_000;

/**
 * onRequest hook of /api/v1, after the token check: a valid token whose user
 * is not in `auth.users_extended` gets 403 USER_NOT_PROVISIONED rather than
 * empty lists. The lookup runs as the user under RLS (like every request);
 * a user found is remembered for PROVISIONED_CACHE_MS, so this costs one
 * query per user every 30 s, not one per request. RLS still decides every
 * row: the cache only spares the lookup.
 */
export function provisionedUserHook(ctx: ApiContext) {
  const seen = new Map<string, number>();
  return async (request: FastifyRequest): Promise<void> => {
    const now = Date.now();
    if ((seen.get(request.userId) ?? 0) > now) return;
    // The API role cannot read auth.users_extended: the policies' own function says whether the
    // user has a row (its org), and nothing else.
    const orgId = await ctx.asUser(request.userId, currentUserOrg);
    if (orgId === null) {
      seen.delete(request.userId);
      throw new SyncWorkerError(
        ErrorCodes.USER_NOT_PROVISIONED,
        `user ${request.userId} is not provisioned (no row in auth.users_extended): ` +
          'an operator adds it with `sync-worker user add --org <uuid> --user <id>`',
      );
    }
    seen.delete(request.userId);
    if (seen.size >= CACHE_SIZE) seen.delete(seen.keys().next().value!);
    seen.set(request.userId, now + PROVISIONED_CACHE_MS);
  };
}
