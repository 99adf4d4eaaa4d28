/**
 * Typed errors with stable codes. Every error that crosses a boundary (CLI
 * output, HTTP response, job failure, activity log) is a SyncWorkerError, so
 * callers switch on `code`, never on message text.
 *
 * `retry` tells the job runner what to do with it:
 * - `retryable`: transient (network, 5xx, serialization); retry with backoff.
 * - `rate_limited`: the source asked us to slow down; wait `retryAfterMs`.
 * - `fatal`: retrying cannot help (credentials, permissions, bad input).
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
  SYNC_CANCELLED: 'SYNC_CANCELLED',
  SYNC_NOT_RUNNING: 'SYNC_NOT_RUNNING',
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
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL: 'INTERNAL',
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

export class NotFoundError extends SyncWorkerError {}

/** A failure talking to a source store (WooCommerce, Odoo, Shopify, …). */
export class SourceError extends SyncWorkerError {
  constructor(code: ErrorCode, message: string, options: SyncWorkerErrorOptions & { status?: number } = {}) {
    super(code, message, {
      ...options,
      details: { ...options.details, ...(options.status ? { status: options.status } : {}) },
    });
  }
}

/** The sync was cancelled (or paused) by a user; not a failure. */
export class SyncCancelledError extends SyncWorkerError {
  constructor(
    syncId: string,
    readonly status: 'cancelled' | 'paused' | 'timeout' | 'failed',
  ) {
    super(ErrorCodes.SYNC_CANCELLED, `sync ${syncId} is ${status}; stopping at the batch boundary`);
  }
}

/**
 * The one factory that turns an HTTP answer from a source into a typed error.
 * Adapters add vendor-specific detail (error code, message) but never decide
 * the retry class themselves.
 */
export function sourceErrorFromStatus(
  status: number,
  message: string,
  options: { retryAfterMs?: number; details?: Record<string, unknown> } = {},
): SourceError {
  const base = { status, details: options.details };
  if (status === 401)
    return new SourceError(ErrorCodes.SOURCE_AUTH_FAILED, message, { ...base, retry: 'fatal' });
  if (status === 402 || status === 403)
    return new SourceError(ErrorCodes.SOURCE_FORBIDDEN, message, { ...base, retry: 'fatal' });
  if (status === 404 || status === 410)
    return new SourceError(ErrorCodes.SOURCE_NOT_FOUND, message, { ...base, retry: 'fatal' });
  if (status === 429 || (status === 503 && options.retryAfterMs !== undefined))
    return new SourceError(ErrorCodes.SOURCE_RATE_LIMITED, message, {
      ...base,
      retry: 'rate_limited',
      retryAfterMs: options.retryAfterMs,
    });
  if (status === 408 || status >= 500)
    return new SourceError(ErrorCodes.SOURCE_UNAVAILABLE, message, {
      ...base,
      retry: 'retryable',
    });
  return new SourceError(ErrorCodes.SOURCE_BAD_REQUEST, message, { ...base, retry: 'fatal' });
}

export function isSyncWorkerError(err: unknown): err is SyncWorkerError {
  return err instanceof SyncWorkerError;
}

/** Message of any thrown value, for logs and activity rows. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Any thrown value as a typed error with its retry class. Adapters classify
 * source errors themselves; what reaches here untyped (a lost database or
 * Redis connection, a serialization failure, a bug) is retried: attempts are
 * bounded and each retry resumes from the checkpoint, so a transient fault
 * costs one batch and a permanent one ends as `failed` after the last attempt.
 */
export function classify(err: unknown): SyncWorkerError {
  if (isSyncWorkerError(err)) return err;
  return new SyncWorkerError(ErrorCodes.INTERNAL, errorMessage(err), { retry: 'retryable', cause: err });
}
