/**
 * Odoo's wire values → canonical values, the same way for every model:
 * - `false` is Odoo's empty value for every type but booleans: it becomes null
 *   (a `false` string, date or many2one never reaches the mirror);
 * - many2one `[id, "display name"]` is kept as both: `xId` (string) and `xName`;
 * - one2many / many2many id lists become string ids;
 * - datetimes are naive UTC `"YYYY-MM-DD HH:MM:SS"`: parsed as UTC, stored as ISO 8601 with `Z`;
 * - dates stay `YYYY-MM-DD`;
 * - money is a decimal string (`19.99`, as WooCommerce sends it), from Odoo's floats.
 */

export type OdooRaw = Record<string, unknown>;

/** A non-empty string, else null (`false`, `""`, missing). */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A finite number, else null (`false` included: an unset integer or float). */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A float amount as the shortest decimal string that reads back as the same float. */
export function money(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** `[id, name]` → `{ id: "7", name }`; `false` → both null. */
export function many2one(value: unknown): { id: string | null; name: string | null } {
  if (Array.isArray(value) && typeof value[0] === 'number') {
    return { id: String(value[0]), name: typeof value[1] === 'string' ? value[1] : null };
  }
  if (typeof value === 'number' && value > 0) return { id: String(value), name: null };
  return { id: null, name: null };
}

/** The many2one as `{ [prefix]Id, [prefix]Name }`. */
export function ref(prefix: string, value: unknown): Record<string, string | null> {
  const { id, name } = many2one(value);
  return { [`${prefix}Id`]: id, [`${prefix}Name`]: name };
}

export function idList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number').map(String) : [];
}

/** A naive UTC datetime (`2025-01-02 03:04:05`) → Date; `false` or unreadable → null. */
export function utcDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(value.trim());
  if (!m) return null;
  const at = new Date(`${m[1]}T${m[2]}${m[3] ?? ''}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export function utcIso(value: unknown): string | null {
  return utcDate(value)?.toISOString() ?? null;
}

/** A date field (`YYYY-MM-DD`), else null. */
export function day(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

/** The positive integer id of a raw record as a string, or '' when it has none. */
export function rawOdooId(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? String(id) : '';
}
