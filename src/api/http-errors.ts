import type { FastifyError, FastifyInstance } from 'fastify';
import { ErrorCodes, ValidationError, isSyncWorkerError, type ErrorCode } from '../errors.js';
import { publicError } from '../public-error.js';

/** HTTP status of each stable error code; anything else is a 500. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.VALIDATION_FAILED]: 400,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.USER_NOT_PROVISIONED]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.CONNECTION_NOT_FOUND]: 404,
  [ErrorCodes.SYNC_NOT_FOUND]: 404,
  [ErrorCodes.PREVIEW_NOT_FOUND]: 404,
  [ErrorCodes.SYNC_NOT_RUNNING]: 409,
  [ErrorCodes.CONNECTION_BUSY]: 409,
  [ErrorCodes.SYNC_CANCELLED]: 409,
  [ErrorCodes.ENTITY_NOT_SUPPORTED]: 422,
  [ErrorCodes.ADAPTER_NOT_FOUND]: 422,
  // A setting the API needs for this request is missing (e.g. SYNC_ENCRYPTION_KEY).
  [ErrorCodes.CONFIG_INVALID]: 503,
  // Postgres or Redis cannot serve (the message says what the operator must fix).
  [ErrorCodes.DATABASE_UNREACHABLE]: 503,
  [ErrorCodes.DATABASE_MISSING]: 503,
  [ErrorCodes.DATABASE_NOT_MIGRATED]: 503,
  [ErrorCodes.DATABASE_AUTH_FAILED]: 503,
  [ErrorCodes.DATABASE_PERMISSION_DENIED]: 503,
  [ErrorCodes.REDIS_UNREACHABLE]: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** What the client gets for an error, and its status. */
export function toHttpError(thrown: unknown, requestId: string): { status: number; body: ErrorBody } {
  // Database and Redis failures become their typed errors (never Prisma's text).
  const err =
    isSyncWorkerError(thrown) || (thrown as Partial<FastifyError>)?.code?.startsWith?.('FST_')
      ? thrown
      : publicError(thrown);
  if (isSyncWorkerError(err)) {
    const status = STATUS[err.code];
    if (status !== undefined) return { status, body: { error: err.toJSON() } };
  }
  // Fastify's own 4xx: unreadable JSON, wrong content type, body too large, …
  const fst = err as Partial<FastifyError>;
  if (typeof fst.code === 'string' && fst.code.startsWith('FST_') && fst.statusCode && fst.statusCode < 500) {
    const message = `invalid request: ${fst.message ?? fst.code}`;
    const issues = [`body: ${fst.message ?? fst.code}`];
    return { status: fst.statusCode, body: { error: new ValidationError(message, issues).toJSON() } };
  }
  return {
    status: 500,
    body: {
      error: {
        code: ErrorCodes.INTERNAL,
        message: `internal error (request ${requestId}); see the server log`,
      },
    },
  };
}

/** The one error handler and the JSON 404 of the whole server. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = toHttpError(err, request.id);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.error.code, status }, body.error.message.split('\n')[0]);
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: ErrorCodes.NOT_FOUND,
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      },
    } satisfies ErrorBody),
  );
}
