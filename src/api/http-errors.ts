import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, ValidationError, isSyncWorkerError, type ErrorCode } from '../errors.js';
import { publicError } from '../public-error.js';
import { safeExcerpt } from '../safe-text.js';

/**
 * Every response the server sends for an error has one shape,
 * `{"error":{"code","message","details"?}}`, with a stable code: the routes'
 * typed errors, Fastify's own refusals (unreadable or oversized bodies,
 * unsupported media types, over-long path parameters, malformed URLs), unknown
 * routes (404), known paths with another method (405), and what the Node HTTP
 * parser refuses before Fastify sees a request (431, 408, 400). Messages are
 * ours: none quotes the request back.
 */

/** HTTP status of each stable error code; anything else is a 500. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.VALIDATION_FAILED]: 400,
  [ErrorCodes.BAD_REQUEST]: 400,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.USER_NOT_PROVISIONED]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.CONNECTION_NOT_FOUND]: 404,
  [ErrorCodes.SYNC_NOT_FOUND]: 404,
  [ErrorCodes.PREVIEW_NOT_FOUND]: 404,
  [ErrorCodes.METHOD_NOT_ALLOWED]: 405,
  [ErrorCodes.REQUEST_TIMEOUT]: 408,
  [ErrorCodes.SYNC_NOT_RUNNING]: 409,
  [ErrorCodes.CONNECTION_BUSY]: 409,
  [ErrorCodes.SYNC_CANCELLED]: 409,
  [ErrorCodes.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCodes.URI_TOO_LONG]: 414,
  [ErrorCodes.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCodes.ENTITY_NOT_SUPPORTED]: 422,
  [ErrorCodes.ADAPTER_NOT_FOUND]: 422,
  [ErrorCodes.EGRESS_DENIED]: 422,
  [ErrorCodes.RATE_LIMITED]: 429,
  [ErrorCodes.HEADERS_TOO_LARGE]: 431,
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

const body = (code: ErrorCode, message: string): ErrorBody => ({ error: { code, message } });

/** Fastify's own 4xx (FST_* codes), in our words. */
function frameworkError(err: Partial<FastifyError>): { status: number; body: ErrorBody } | undefined {
  const { code, statusCode } = err;
  if (typeof code !== 'string' || !code.startsWith('FST_') || !statusCode || statusCode >= 500) {
    return undefined;
  }
  if (statusCode === 413) {
    return {
      status: 413,
      body: body(ErrorCodes.PAYLOAD_TOO_LARGE, 'request body too large (1 MiB at most)'),
    };
  }
  if (statusCode === 415) {
    const message = 'unsupported Content-Type: send application/json';
    return { status: 415, body: body(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, message) };
  }
  if (statusCode === 414 || code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const message = `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`;
    return { status: 414, body: body(ErrorCodes.URI_TOO_LONG, message) };
  }
  if (code.startsWith('FST_ERR_CTP_')) {
    // Unreadable JSON, an empty JSON body where one is needed, a bad Content-Length.
    const issue =
      code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? 'is not valid JSON'
        : 'could not be read';
    return {
      status: 400,
      body: { error: new ValidationError(`invalid request: body ${issue}`, [`body: ${issue}`]).toJSON() },
    };
  }
  return { status: statusCode, body: body(ErrorCodes.BAD_REQUEST, 'malformed request URL or headers') };
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
  const framework = frameworkError(err as Partial<FastifyError>);
  if (framework) return framework;
  return {
    status: 500,
    body: body(ErrorCodes.INTERNAL, `internal error (request ${requestId}); see the server log`),
  };
}

/** Longest path parameter the router matches (Fastify's maxParamLength). */
export const MAX_PARAM_LENGTH = 255;

/**
 * Fastify options that route its early refusals (bad URL, over-long path
 * parameter) and the HTTP parser's (header overflow, timeout, garbage)
 * through the one error shape. Pass them to `fastify()`.
 */
export const errorShapeOptions = {
  routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const { status, body: payload } = toHttpError(error, request.id);
    void reply.code(status).type('application/json').send(payload);
  },
  clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex) {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message]: [number, ErrorCode, string] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            ErrorCodes.HEADERS_TOO_LARGE,
            'request line and headers larger than the server accepts (16 KiB)',
          ]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, ErrorCodes.REQUEST_TIMEOUT, 'the request was not received in time']
          : [400, ErrorCodes.BAD_REQUEST, 'malformed HTTP request'];
    const text = JSON.stringify(body(code, message));
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    } else {
      socket.destroy();
    }
  },
};

/** `/syncs/:syncId/cancel` → a regex over concrete paths. */
function routePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) =>
      part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/** The one error handler, the JSON 404 and the 405 of the whole server. Call before routes are added. */
export function installErrorHandling(app: FastifyInstance): void {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat().map(String);
    routes.push({ pattern: routePattern(route.url), methods });
  });
  app.setErrorHandler((err, request, reply) => {
    const { status, body: payload } = toHttpError(err, request.id);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: payload.error.code, status }, payload.error.message.split('\n')[0]);
    return reply.code(status).type('application/json').send(payload);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
    const shown = safeExcerpt(path, 200);
    if (allowed.length) {
      return reply
        .code(405)
        .header('allow', allowed.sort().join(', '))
        .send(
          body(
            ErrorCodes.METHOD_NOT_ALLOWED,
            `${request.method} is not allowed on ${shown}; use ${allowed.sort().join(', ')}`,
          ),
        );
    }
    return reply.code(404).send(body(ErrorCodes.NOT_FOUND, `no route ${request.method} ${shown}`));
  });
}
