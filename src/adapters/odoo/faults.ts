import { sourceError, type SourceError, type SourceFailureKind } from '../../errors.js';

/**
 * Odoo's exceptions → the kind of failure, through the one factory
 * (`sourceError` in errors.ts decides code and retry class): the exception's
 * Python name decides, whatever the HTTP status it came with (JSON-RPC answers
 * every error with 200, JSON-2 answers a bad domain with 500). Unknown names
 * are `unavailable` — retryable, as every unknown error is.
 */
export function kindOfOdooError(name: string, message: string): SourceFailureKind {
  const short = name.slice(name.lastIndexOf('.') + 1);
  switch (short) {
    case 'AccessDenied':
    case 'SessionExpiredException':
    case 'Unauthorized':
      return 'auth';
    case 'AccessError':
    case 'Forbidden':
      return 'forbidden';
    case 'NotFound':
      return 'not_found';
    case 'ValidationError':
    case 'UserError':
    case 'RedirectWarning':
    case 'ValueError':
    case 'TypeError':
    case 'KeyError':
    case 'AttributeError':
    case 'UnprocessableEntity':
    case 'BadRequest':
      return 'bad_request';
    default:
      break;
  }
  // A database name that does not exist fails in psycopg2 when the registry loads: no retry finds it.
  if (name.startsWith('psycopg2.') && /database ".*" does not exist/.test(message)) return 'not_found';
  // Serialization failures, deadlocks, lost connections, a record unlinked mid-call, the unknown: retry.
  return 'unavailable';
}

const HINTS: Partial<Record<SourceFailureKind, string>> = {
  auth: ' (check the database name, the login and the password or API key)',
  forbidden: ' (the Odoo user lacks read access to this model)',
  not_found: ' (check the database name and the URL)',
};

/** How an Odoo exception reads and classifies: `AccessError: … (hint)` and its kind. */
export function describeOdooException(
  name: string,
  message: string,
  code?: unknown,
): { kind: SourceFailureKind; text: string } {
  // JSON-RPC code 100: the web session expired (session-based clients only).
  const kind = code === 100 ? 'auth' : kindOfOdooError(name, message);
  const first = message.split('\n')[0]!.slice(0, 300);
  const hint = /object \S+ doesn't exist|the model '[^']+' does not exist/i.test(first)
    ? ' (is the Odoo app that provides this model installed?)'
    : (HINTS[kind] ?? '');
  return { kind, text: `${name}: ${first}${hint}` };
}

/** A typed error for an Odoo exception met while calling `what` (e.g. "res.partner.search_read"). */
export function odooError(
  what: string,
  error: { name: string; message: string; code?: unknown },
  httpStatus: number,
): SourceError {
  const { kind, text } = describeOdooException(error.name, error.message, error.code);
  return sourceError({
    kind,
    message: `Odoo ${what}: ${text}`,
    status: httpStatus,
    details: { odooError: error.name },
  });
}
