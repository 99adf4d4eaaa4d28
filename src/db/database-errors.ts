import { DependencyError, ErrorCodes, SyncWorkerError, errorMessage } from '../errors.js';

/**
 * The one mapping from what Postgres, `pg` and Prisma throw to typed errors
 * whose message says what to do: unreachable, database missing, not migrated,
 * login refused, privilege missing. Prisma's own framing ("Invalid
 * `prisma.x.findMany()` invocation in …" with a code excerpt) never reaches a
 * user: the CLI and the API pass every error through `publicError`, which
 * calls this.
 */

/** What the `pg` driver and the Prisma driver adapter say about a failure. */
interface Cause {
  /** SQLSTATE, or a Node socket code (ECONNREFUSED…). */
  code?: string;
  /** Prisma's driver adapter kind (DatabaseNotReachable, TableDoesNotExist…). */
  kind?: string;
  message: string;
  host?: string;
  port?: number;
  db?: string;
  table?: string;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);
/** Prisma's connection-level codes (no SQLSTATE behind them). */
const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024']);

/** A typed error for anything that came from the database layer; null for anything else. */
export function databaseErrorOf(err: unknown): SyncWorkerError | null {
  if (err instanceof SyncWorkerError) return null;
  const cause = causeOf(err);
  if (!cause) return null;
  const code = cause.code ?? '';
  const kind = cause.kind ?? '';
  const where = cause.host ? ` at ${cause.host}${cause.port ? `:${cause.port}` : ''}` : '';

  if (
    SOCKET_CODES.has(code) ||
    PRISMA_UNREACHABLE.has(code) ||
    [
      'DatabaseNotReachable',
      'ConnectionClosed',
      'SocketTimeout',
      'TlsConnectionError',
      'TooManyConnections',
    ].includes(kind) ||
    /^(08|57P0)/.test(code) ||
    code === '53300' ||
    // P2028 "Unable to start a transaction in the given time": every pooled connection is busy.
    /connection terminated|connection timeout|timeout expired|unable to start a transaction in the given time/i.test(
      cause.message,
    )
  ) {
    return new DependencyError(
      ErrorCodes.DATABASE_UNREACHABLE,
      `cannot reach Postgres${where} (${short(cause.message)}): check DATABASE_URL and that the server is running`,
      'DATABASE_URL',
      { cause: err },
    );
  }
  if (kind === 'DatabaseDoesNotExist' || code === '3D000' || code === 'P1003') {
    const db = cause.db ?? /database "([^"]+)"/.exec(cause.message)?.[1] ?? '<name>';
    return new DependencyError(
      ErrorCodes.DATABASE_MISSING,
      `database "${db}" does not exist on the server of DATABASE_URL: create it ` +
        `(createdb ${db}, or CREATE DATABASE "${db}") or run \`sync-worker migrate --create-database\``,
      'DATABASE_URL',
      { cause: err, details: { database: db } },
    );
  }
  if (
    ['TableDoesNotExist', 'ColumnNotFound'].includes(kind) ||
    ['42P01', '42703', '3F000', '42883', '42704', 'P2021', 'P2022'].includes(code)
  ) {
    return new DependencyError(
      ErrorCodes.DATABASE_NOT_MIGRATED,
      `the database is not migrated (${short(cause.message)}): run \`sync-worker migrate\``,
      'DATABASE_URL',
      { cause: err },
    );
  }
  if (
    ['AuthenticationFailed', 'DatabaseAccessDenied'].includes(kind) ||
    /^28/.test(code) ||
    code === 'P1000' ||
    code === 'P1010'
  ) {
    return new DependencyError(
      ErrorCodes.DATABASE_AUTH_FAILED,
      `Postgres refused the login (${short(cause.message)}): check the user and password in DATABASE_URL`,
      'DATABASE_URL',
      { cause: err },
    );
  }
  if (code === '42501') {
    return new DependencyError(
      ErrorCodes.DATABASE_PERMISSION_DENIED,
      `the database user lacks a privilege (${short(cause.message)}): connect as the schema's owner ` +
        `(the user that ran \`sync-worker migrate\`) or grant it`,
      'DATABASE_URL',
      { cause: err },
    );
  }
  return new SyncWorkerError(
    ErrorCodes.DATABASE_ERROR,
    `database error: ${short(cause.message)}${/^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : ''}`,
    { retry: 'retryable', cause: err },
  );
}

/** The facts of a database-layer error, or null when `err` did not come from it. */
function causeOf(err: unknown): Cause | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as Record<string, unknown>;
  // Prisma: PrismaClientKnownRequestError (P…) carries the driver adapter's mapped error.
  if (typeof e.clientVersion === 'string' || String(e.name).startsWith('PrismaClient')) {
    const adapter = (e.meta as { driverAdapterError?: { cause?: Record<string, unknown> } } | undefined)
      ?.driverAdapterError?.cause;
    if (adapter) return fromAdapter(adapter, typeof e.code === 'string' ? e.code : undefined);
    return {
      code: typeof e.code === 'string' ? e.code : undefined,
      message: prismaMessage(errorMessage(err)),
    };
  }
  if (e.name === 'DriverAdapterError' && e.cause && typeof e.cause === 'object') {
    return fromAdapter(e.cause as Record<string, unknown>);
  }
  // `pg` (the migrator, the preflight check): a server error has a SQLSTATE and a severity.
  if (typeof e.code === 'string' && typeof e.severity === 'string') {
    return { code: e.code, message: errorMessage(err) };
  }
  // Socket errors; `localhost` tries ::1 and 127.0.0.1 and fails with both (AggregateError).
  const socket = err instanceof AggregateError ? (err.errors[0] as Record<string, unknown>) : e;
  if (socket && typeof socket.code === 'string' && SOCKET_CODES.has(socket.code)) {
    return {
      code: socket.code,
      message: socket.code,
      host: typeof socket.address === 'string' ? socket.address : undefined,
      port: typeof socket.port === 'number' ? socket.port : undefined,
    };
  }
  if (/^(Connection terminated|timeout expired)/.test(errorMessage(err))) {
    return { message: errorMessage(err) };
  }
  return null;
}

function fromAdapter(cause: Record<string, unknown>, prismaCode?: string): Cause {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    code: str(cause.originalCode) ?? str(cause.code) ?? prismaCode,
    kind: str(cause.kind),
    message:
      str(cause.originalMessage) ??
      str(cause.message) ??
      str(cause.reason) ??
      str(cause.cause) ??
      str(cause.kind) ??
      'unknown',
    host: str(cause.host),
    port: typeof cause.port === 'number' ? cause.port : undefined,
    db: str(cause.db),
    table: str(cause.table),
  };
}

/**
 * Prisma's message without its framing: "Invalid `x.y()` invocation in
 * <file>:<line>" and the code excerpt go; the last line (the reason) stays.
 */
export function prismaMessage(message: string): string {
  if (!/Invalid `[^`]+` invocation/.test(message)) return message;
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? 'database request failed';
}

function short(message: string): string {
  const first = message.split('\n')[0]!.trim();
  return first.length > 200 ? `${first.slice(0, 200)}…` : first;
}
