import { z } from 'zod';

/**
 * Field-level normalisation shared by the WooCommerce mappers, so every
 * entity spells money, dates, ids and addresses the same way:
 * - money stays a decimal string (`"19.99"`), numbers become strings, `""` → null;
 * - quantities stay numbers (WooCommerce sends integers), missing → null;
 * - dates are ISO-8601 UTC strings from the `_gmt` fields (which carry no zone);
 * - ids are strings, `0` (WooCommerce's "none") → null;
 * - empty strings in names and addresses → null.
 */

/** `"2025-01-02T03:04:05"` (UTC, no zone) → Date; a zone suffix, if present, is honoured. */
export function gmtDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !value) return null;
  const text = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value.slice(10)) ? value : `${value}Z`;
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?/.test(text)) return null;
  const at = new Date(text.replace(' ', 'T'));
  return Number.isNaN(at.getTime()) ? null : at;
}

export function gmtIso(value: unknown): string | null {
  return gmtDate(value)?.toISOString() ?? null;
}

export function money(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return null;
}

export function quantity(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return null;
}

export function refId(value: unknown): string | null {
  if (typeof value === 'number' && value > 0) return String(value);
  if (typeof value === 'string' && /^[1-9]\d*$/.test(value)) return value;
  return null;
}

/** Decodes the few HTML entities WordPress puts in names (`&amp;`, `&#8217;`…); empty → null. */
export function text(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? _);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export const addressSchema = z
  .looseObject({
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    company: z.string().nullish(),
    address_1: z.string().nullish(),
    address_2: z.string().nullish(),
    city: z.string().nullish(),
    state: z.string().nullish(),
    postcode: z.string().nullish(),
    country: z.string().nullish(),
    email: z.string().nullish(),
    phone: z.string().nullish(),
  })
  .nullish();

export function address(value: z.infer<typeof addressSchema>): Record<string, string | null> | null {
  if (!value) return null;
  return {
    firstName: text(value.first_name),
    lastName: text(value.last_name),
    company: text(value.company),
    address1: text(value.address_1),
    address2: text(value.address_2),
    city: text(value.city),
    state: text(value.state),
    postcode: text(value.postcode),
    country: text(value.country),
    email: text(value.email),
    phone: text(value.phone),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** The positive integer id of a raw item, as a string, or '' when it has none. */
export function rawId(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return refId(id) ?? '';
}

/** A zod failure as one short reason: `"email: expected string, received undefined"`. */
export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'item'}: ${issue.message}`)
    .join('; ');
}
