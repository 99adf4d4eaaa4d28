/**
 * Odoo's value shapes. The fake stores datetimes as microseconds since the
 * epoch (PostgreSQL `timestamp without time zone`, UTC), and reads them out as
 * Odoo does: `"YYYY-MM-DD HH:MM:SS"` with the microseconds dropped.
 */

export type Row = Record<string, unknown> & { id: number };

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

/** A domain or stored datetime string → microseconds since the epoch (UTC), or undefined. */
export function parseMicros(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATETIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + Number(frac.padEnd(6, '0') || '0');
}

/** Microseconds → Odoo's wire datetime, whole seconds, no zone. */
export function formatDatetime(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19).replace('T', ' ');
}

export function microsOfDate(at: Date): number {
  return at.getTime() * 1000;
}
