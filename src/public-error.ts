import { databaseErrorOf, prismaMessage } from './db/database-errors.js';
import { ErrorCodes, SyncWorkerError, errorMessage } from './errors.js';
import { redisErrorOf } from './queues/redis-errors.js';

/**
 * What a user may see of any thrown value (CLI output, HTTP response): typed
 * errors as they are; database and Redis failures as typed errors with their
 * hint; anything else as INTERNAL with its first line (never Prisma's framing
 * nor a stack).
 */
export function publicError(err: unknown): SyncWorkerError {
  if (err instanceof SyncWorkerError) return err;
  const known = databaseErrorOf(err) ?? redisErrorOf(err);
  if (known) return known;
  const message = prismaMessage(errorMessage(err)).split('\n')[0]!;
  return new SyncWorkerError(ErrorCodes.INTERNAL, message, { cause: err });
}
