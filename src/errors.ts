/**
 * Typed errors with stable codes. Every error that crosses a boundary (CLI
 * output, HTTP response, job failure, activity log) is a SyncWorkerError, so
 * callers switch on `code`, never on message text.
 *
 * `retry` tells the job runner what to do with it:
 * - `retryable`: transient (network, 5xx, serialization); retry with backoff.
 * - `rate_limited`: the source asked us to slow down; wait `retryAfterMs`.
 * - `fatal`: retrying cannot help (credentials, permissions, bad input).
 *
 * Two functions decide every retry class: `sourceError` (a failure a source
 * reported, whatever the transport: an HTTP status, a JSON-RPC `error` or a
 * GraphQL `errors[]` that came with HTTP 200) and `classify` (any thrown
 * value). Adapters add wording and details, never retry rules of their own.
 */
export type RetryClass = 'retryable' | 'rate_limited' | 'fatal';

export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MIGRATION_CHECKSUM_MISMATCH: 'MIGRATION_CHECKSUM_MISMATCH',
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  MIGRATION_NOT_FOUND: 'MIGRATION_NOT_FOUND',
  MIGRATION_DOWN_MISSING: 'MIGRATION_DOWN_MISSING',
  ENCRYPTION_FAILED: 'ENCRYPTION_FAILED',
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  SYNC_NOT_FOUND: 'SYNC_NOT_FOUND',
  /** The sync was cancelled, timed out or ended by someone else while this worker ran it. */
  SYNC_CANCELLED: 'SYNC_CANCELLED',
  SYNC_NOT_RUNNING: 'SYNC_NOT_RUNNING',
  SYNC_NOT_RESUMABLE: 'SYNC_NOT_RESUMABLE',
  /** A worker shutdown stopped the sync between batches; it resumes from its checkpoint. */
  SYNC_INTERRUPTED: 'SYNC_INTERRUPTED',
  /** The stall sweeper ended a sync that made no progress for SYNC_STALL_TIMEOUT. */
  SYNC_STALLED: 'SYNC_STALLED',
  /** A batch found the progress row no longer where this worker left it. */
  SYNC_LOST_OWNERSHIP: 'SYNC_LOST_OWNERSHIP',
  PREVIEW_NOT_FOUND: 'PREVIEW_NOT_FOUND',
  ENTITY_NOT_SUPPORTED: 'ENTITY_NOT_SUPPORTED',
  ADAPTER_NOT_FOUND: 'ADAPTER_NOT_FOUND',
  SOURCE_AUTH_FAILED: 'SOURCE_AUTH_FAILED',
  SOURCE_FORBIDDEN: 'SOURCE_FORBIDDEN',
  SOURCE_NOT_FOUND: 'SOURCE_NOT_FOUND',
  SOURCE_BAD_REQUEST: 'SOURCE_BAD_REQUEST',
  SOURCE_RATE_LIMITED: 'SOURCE_RATE_LIMITED',
  SOURCE_UNAVAILABLE: 'SOURCE_UNAVAILABLE',
  SOURCE_BAD_RESPONSE: 'SOURCE_BAD_RESPONSE',
  SOURCE_NETWORK: 'SOURCE_NETWORK',
  EGRESS_DENIED: 'EGRESS_DENIED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_REQUEST: 'BAD_REQUEST',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  URI_TOO_LONG: 'URI_TOO_LONG',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The API's per-user request limit (API_RATE_LIMIT per API_RATE_LIMIT_WINDOW) is used up. */
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  // Postgres and Redis as the process sees them (src/db/database-errors.ts, src/queues/redis-errors.ts).
  DATABASE_UNREACHABLE: 'DATABASE_UNREACHABLE',
  DATABASE_MISSING: 'DATABASE_MISSING',
  DATABASE_NOT_MIGRATED: 'DATABASE_NOT_MIGRATED',
  DATABASE_AUTH_FAILED: 'DATABASE_AUTH_FAILED',
  DATABASE_PERMISSION_DENIED: 'DATABASE_PERMISSION_DENIED',
  DATABASE_ERROR: 'DATABASE_ERROR',
  REDIS_UNREACHABLE: 'REDIS_UNREACHABLE',
  // Users and tokens.
  USER_NOT_PROVISIONED: 'USER_NOT_PROVISIONED',
  USER_IN_OTHER_ORG: 'USER_IN_OTHER_ORG',
  USERS_MANAGED_EXTERNALLY: 'USERS_MANAGED_EXTERNALLY',
  // Connections over their life.
  CONNECTION_BUSY: 'CONNECTION_BUSY',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface SyncWorkerErrorOptions {
  retry?: RetryClass;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class SyncWorkerError extends Error {
  readonly code: ErrorCode;
  readonly retry: RetryClass;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: SyncWorkerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retry = options.retry ?? 'fatal';
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/** A bad environment variable, CLI flag, job payload or HTTP body. */
export class ValidationError extends SyncWorkerError {
  constructor(
    message: string,
    readonly issues: string[] = [],
    code: ErrorCode = ErrorCodes.VALIDATION_FAILED,
  ) {
    super(code, message, { details: issues.length ? { issues } : undefined });
  }
}

export class ConfigError extends ValidationError {
  constructor(issues: string[]) {
    super(
      `invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`,
      issues,
      ErrorCodes.CONFIG_INVALID,
    );
  }
}

export class MigrationError extends SyncWorkerError {}

/**
 * Postgres or Redis cannot serve the process: unreachable, missing, not
 * migrated, refusing the login or a privilege. The message says what to do;
 * `details.variable` names the setting to check (`DATABASE_URL`, `REDIS_URL`).
 * Retryable: a job meeting one retries with backoff (a restart heals it).
 */
export class DependencyError extends SyncWorkerError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly variable: 'DATABASE_URL' | 'REDIS_URL' | 'REDIS_CLUSTER_NODES',
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, {
      retry: 'retryable',
      cause: options.cause,
      details: { variable, ...options.details },
    });
  }
}

export class NotFoundError extends SyncWorkerError {}

/** A caller over the API's request limit: retry after `retryAfterMs` (the response's Retry-After). */
export class RateLimitedError extends SyncWorkerError {
  constructor(limit: number, windowMs: number, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      ErrorCodes.RATE_LIMITED,
      `too many requests: at most ${limit} per ${windowMs / 1000} s for each user; retry in ${seconds} s`,
      {
        retry: 'rate_limited',
        retryAfterMs,
        details: { limit, windowSeconds: windowMs / 1000, retryAfterSeconds: seconds },
      },
    );
  }
}

/** A failure talking to a source store (WooCommerce, Odoo, Shopify, …). Made by `sourceError`. */
export class SourceError extends SyncWorkerError {
  constructor(code: ErrorCode, message: string, options: SyncWorkerErrorOptions & { status?: number } = {}) {
    super(code, message, {
      ...options,
      details: { ...options.details, ...(options.status ? { status: options.status } : {}) },
    });
  }
}

/**
 * A source address the egress policy refuses (loopback, private, metadata…),
 * or a redirect to another origin. Fatal: retrying cannot help; the operator
 * opens an address with SYNC_EGRESS_ALLOW.
 */
export class EgressDeniedError extends SyncWorkerError {
  constructor(message: string, details: { host: string; address?: string; reason: string }) {
    super(ErrorCodes.EGRESS_DENIED, message, { retry: 'fatal', details });
  }
}

/** How a sync that this worker was running ended without it. */
export type StoppedStatus = 'cancelled' | 'paused' | 'timeout' | 'failed';

/**
 * The sync was cancelled, timed out (stall sweeper) or taken over by another
 * worker while this one ran it: not a failure of this job, which ends quietly.
 */
export class SyncCancelledError extends SyncWorkerError {
  constructor(
    syncId: string,
    readonly status: StoppedStatus,
  ) {
    super(ErrorCodes.SYNC_CANCELLED, `sync ${syncId} is ${status}; this worker stops running it`);
  }
}

/** A worker shutdown interrupted the sync; the job goes back to the queue and resumes from its checkpoint. */
export class SyncInterruptedError extends SyncWorkerError {
  constructor(readonly syncId: string) {
    super(
      ErrorCodes.SYNC_INTERRUPTED,
      `sync ${syncId} interrupted by worker shutdown; it resumes from its checkpoint`,
      { retry: 'retryable' },
    );
  }
}

/**
 * A batch's progress update matched no row: the sync is no longer
 * `in_progress` at the batch number this worker last wrote (cancelled, timed
 * out, or taken over after a stalled-job recovery). The batch rolls back;
 * the engine turns it into a SyncCancelledError naming the row's status.
 */
export class LostOwnershipError extends SyncWorkerError {
  constructor(syncId: string) {
    super(ErrorCodes.SYNC_LOST_OWNERSHIP, `sync ${syncId}: the progress row moved on without this worker`);
  }
}

/**
 * What went wrong at a source, whatever the transport said it with. Each kind
 * has one code and one retry class (`sourceError`).
 */
export type SourceFailureKind =
  /** Credentials refused (401, Odoo `authenticate` → false, `AccessDenied`). */
  | 'auth'
  /** Authenticated but not allowed (403, 402 frozen shop, Odoo `AccessError`, GraphQL `ACCESS_DENIED`). */
  | 'forbidden'
  /** The store, route or record is not there (404, 410). */
  | 'not_found'
  /** The request is wrong for this store (400, Odoo `ValueError`/`ValidationError`, `MAX_COST_EXCEEDED`). */
  | 'bad_request'
  /** Slow down: wait `retryAfterMs` (429, 503 with Retry-After, Shopify `THROTTLED`). */
  | 'rate_limited'
  /** The source is temporarily failing (5xx, 408, a serialization failure, `INTERNAL_SERVER_ERROR`). */
  | 'unavailable'
  /** No answer (connection refused, reset, DNS, timeout). */
  | 'network'
  /** An answer that cannot be read (not JSON, wrong shape); may be a passing proxy page. */
  | 'bad_response'
  /** An answer that cannot be paged safely and will not get better (wrong order, items without ids). */
  | 'incompatible';

const KINDS: Record<SourceFailureKind, { code: ErrorCode; retry: RetryClass }> = {
  auth: { code: ErrorCodes.SOURCE_AUTH_FAILED, retry: 'fatal' },
  forbidden: { code: ErrorCodes.SOURCE_FORBIDDEN, retry: 'fatal' },
  not_found: { code: ErrorCodes.SOURCE_NOT_FOUND, retry: 'fatal' },
  bad_request: { code: ErrorCodes.SOURCE_BAD_REQUEST, retry: 'fatal' },
  rate_limited: { code: ErrorCodes.SOURCE_RATE_LIMITED, retry: 'rate_limited' },
  unavailable: { code: ErrorCodes.SOURCE_UNAVAILABLE, retry: 'retryable' },
  network: { code: ErrorCodes.SOURCE_NETWORK, retry: 'retryable' },
  bad_response: { code: ErrorCodes.SOURCE_BAD_RESPONSE, retry: 'retryable' },
  incompatible: { code: ErrorCodes.SOURCE_BAD_RESPONSE, retry: 'fatal' },
};

export interface SourceErrorInput {
  kind: SourceFailureKind;
  /** Already worded and redacted by the adapter. */
  message: string;
  /** The HTTP status, when there was one (also for errors that came with 200). */
  status?: number;
  /** For `rate_limited`: how long the source asked us to wait. */
  retryAfterMs?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** THE factory of source failures: the kind decides code and retry class. */
export function sourceError(input: SourceErrorInput): SourceError {
  const { code, retry } = KINDS[input.kind];
  return new SourceError(code, input.message, {
    retry,
    status: input.status,
    details: input.details,
    cause: input.cause,
    ...(input.kind === 'rate_limited' ? { retryAfterMs: input.retryAfterMs } : {}),
  });
}

/** The kind of a non-2xx HTTP answer. */
export function failureKindOfStatus(status: number, retryAfterMs?: number): SourceFailureKind {
  if (status === 401) return 'auth';
  if (status === 402 || status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'bad_request';
}

/**
 * A source's non-2xx HTTP answer as a typed error. Adapters add vendor
 * detail (error code, message) but never decide the retry class themselves.
 */
export function sourceErrorFromStatus(
  status: number,
  message: string,
  options: { retryAfterMs?: number; details?: Record<string, unknown> } = {},
): SourceError {
  return sourceError({
    kind: failureKindOfStatus(status, options.retryAfterMs),
    message,
    status,
    ...options,
  });
}

export function isSyncWorkerError(err: unknown): err is SyncWorkerError {
  return err instanceof SyncWorkerError;
}

/** Message of any thrown value, for logs and activity rows. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export interface ClassifyOptions {
  /** Who was talking ("WooCommerce", "WooCommerce GET https://…"), prefixed to messages. */
  where?: string;
  /** Applied to every message built here (adapters pass their credential redaction). */
  redact?: (text: string) => string;
}

/**
 * THE classifier: any thrown value as a typed error with its retry class.
 * Typed errors pass through. Then, in this order:
 * - an `AbortError` (a caller's abort that was not rethrown as its reason) → SYNC_CANCELLED, fatal;
 * - a `TimeoutError`, or fetch's `TypeError` with a network cause → SOURCE_NETWORK, retryable;
 * - a `SyntaxError` (an unreadable body) → SOURCE_BAD_RESPONSE, retryable;
 * - anything else (a lost database or Redis connection, a serialization
 *   failure, a bug) → INTERNAL, **retryable**: attempts are bounded and each
 *   retry resumes from the checkpoint, so a transient fault costs one batch
 *   and a permanent one ends as `failed` after the last attempt.
 * Adapters call it through `classifyError` with their wording and redaction;
 * the job runner calls it bare: both get the same class for the same value.
 */
export function classify(err: unknown, options: ClassifyOptions = {}): SyncWorkerError {
  if (isSyncWorkerError(err)) return err;
  // A typed error raised under fetch (the egress dispatcher's EGRESS_DENIED) keeps its class.
  const typed = typedCause(err);
  if (typed) return typed;
  const clean = (text: string) => {
    const worded = options.where ? `${options.where}: ${text}` : text;
    return options.redact ? options.redact(worded) : worded;
  };
  if (isNamed(err, 'AbortError')) {
    return new SyncWorkerError(ErrorCodes.SYNC_CANCELLED, clean('aborted by the caller'), {
      retry: 'fatal',
      cause: err,
    });
  }
  if (isNamed(err, 'TimeoutError')) {
    return sourceError({ kind: 'network', message: clean('request timed out'), cause: err });
  }
  const network = err instanceof TypeError ? networkCause(err) : undefined;
  if (network) {
    return sourceError({
      kind: 'network',
      message: clean(`network error${network.code ? ` (${network.code})` : ''}: ${(err as Error).message}`),
      details: network.code ? { networkCode: network.code } : undefined,
      cause: err,
    });
  }
  if (err instanceof SyntaxError) {
    return sourceError({ kind: 'bad_response', message: clean(`unreadable response: ${err.message}`) });
  }
  return new SyncWorkerError(ErrorCodes.INTERNAL, clean(errorMessage(err)), {
    retry: 'retryable',
    cause: err,
  });
}

/** A SyncWorkerError in `err`'s cause chain (fetch wraps connect errors in `TypeError: fetch failed`). */
function typedCause(err: unknown): SyncWorkerError | undefined {
  let cause: unknown = (err as { cause?: unknown } | null)?.cause;
  for (let depth = 0; depth < 4 && cause && typeof cause === 'object'; depth++) {
    if (isSyncWorkerError(cause)) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

function isNamed(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/**
 * fetch's `TypeError('fetch failed')` with undici's cause chain
 * (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`…). A TypeError from a bug
 * has neither and is not a network error.
 */
function networkCause(err: TypeError): { code: string | undefined } | undefined {
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 4 && cause && typeof cause === 'object'; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return { code };
    cause = (cause as { cause?: unknown }).cause;
  }
  return err.message === 'fetch failed' ? { code: undefined } : undefined;
}
