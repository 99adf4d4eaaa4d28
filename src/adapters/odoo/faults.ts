import { sourceErrorFromStatus, type SourceError } from '../../errors.js';

/**
 * Odoo's exceptions → the retry class, through the one factory
 * (`sourceErrorFromStatus`): the exception's Python name decides, whatever
 * the HTTP status it came with (JSON-RPC answers every error with 200, JSON-2
 * answers a bad domain with 500). Unknown names are retryable, as every
 * unknown error is.
 */

/** The HTTP status that classifies an Odoo exception like its meaning. */
export function statusOfOdooError(name: string, message: string): number {
  const short = name.slice(name.lastIndexOf('.') + 1);
  switch (short) {
    case 'AccessDenied':
    case 'SessionExpiredException':
    case 'Unauthorized':
      return 401;
    case 'AccessError':
    case 'Forbidden':
      return 403;
    case 'NotFound':
      return 404;
    case 'ValidationError':
    case 'UserError':
    case 'RedirectWarning':
    case 'ValueError':
    case 'TypeError':
    case 'KeyError':
    case 'AttributeError':
    case 'UnprocessableEntity':
    case 'BadRequest':
      return 400;
    default:
      break;
  }
  if (name.startsWith('psycopg2.')) {
    // A database name that does not exist fails when the registry loads: no retry will find it.
    if (/database ".*" does not exist/.test(message)) return 404;
    return 503; // serialization failures, deadlocks, lost connections: retry
  }
  return 500;
}

const HINTS: Record<number, string> = {
  401: ' (check the database name, the login and the password or API key)',
  403: ' (the Odoo user lacks read access to this model)',
  404: ' (check the database name and the URL)',
};

/** How an Odoo exception reads and classifies: `AccessError: … (hint)` and its status. */
export function describeOdooException(
  name: string,
  message: string,
  code?: unknown,
): { status: number; text: string } {
  // JSON-RPC code 100: the web session expired (session-based clients only).
  const status = code === 100 ? 401 : statusOfOdooError(name, message);
  const first = message.split('\n')[0]!.slice(0, 300);
  const hint = /object \S+ doesn't exist|the model '[^']+' does not exist/i.test(first)
    ? ' (is the Odoo app that provides this model installed?)'
    : (HINTS[status] ?? '');
  return { status, text: `${name}: ${first}${hint}` };
}

/** A typed error for an Odoo exception met while calling `what` (e.g. "res.partner.search_read"). */
export function odooError(
  what: string,
  error: { name: string; message: string; code?: unknown },
): SourceError {
  const { status, text } = describeOdooException(error.name, error.message, error.code);
  return sourceErrorFromStatus(status, `Odoo ${what}: ${text}`, { details: { odooError: error.name } });
}
