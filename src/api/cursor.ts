import { ValidationError } from '../errors.js';
import { isCalendarInstant } from '../validation.js';

/**
 * Keyset pagination over (timestamp, id) in descending order. The timestamp
 * is kept at Postgres' microsecond precision (a JS Date would round it to
 * milliseconds and skip rows); the cursor is opaque to clients.
 */
export interface Cursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, from {@link cursorTimestampSql}. */
  t: string;
  id: string;
}

/** SQL expression rendering a timestamptz column exactly, for a cursor. */
export const cursorTimestampSql = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.t, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [t, id] = parsed as unknown[];
      if (
        typeof t === 'string' &&
        TIMESTAMP.test(t) &&
        isCalendarInstant(t) &&
        typeof id === 'string' &&
        UUID.test(id)
      )
        return { t, id };
    }
  } catch {
    // reported below
  }
  const message = 'query.cursor: is not a cursor returned by this endpoint (use nextCursor as is)';
  throw new ValidationError(message, [message]);
}

/** The next page's cursor: present only when there was one row more than the page. */
export function nextCursorOf<R>(rows: R[], limit: number, key: (row: R) => Cursor): string | null {
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return last === undefined ? null : encodeCursor(key(last));
}
