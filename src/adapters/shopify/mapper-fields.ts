import { z } from 'zod';

/**
 * Field-level normalisation for the Shopify mappers, spelling values the way
 * the WooCommerce mappers do: money a decimal string, dates ISO-8601 UTC,
 * ids strings (Shopify's gids as they are), empty strings null, addresses in
 * the canonical address shape (`address1`, `state`, `postcode`, `country`…).
 */

export function iso(value: unknown): string | null {
  if (typeof value !== 'string' || !value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

export function date(value: unknown): Date | null {
  const text = iso(value);
  return text ? new Date(text) : null;
}

export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Shopify enums (`ACTIVE`, `PAID`) in the lower case the canonical records use. */
export function lowerEnum(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : null;
}

/** `UnsignedInt64` and `Decimal` arrive as strings: counts become numbers, money stays a string. */
export function count(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value) && Number.isSafeInteger(Number(value)))
    return Number(value);
  return null;
}

export function money(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return null;
}

export const moneySchema = z
  .looseObject({ amount: z.unknown(), currencyCode: z.string().nullish() })
  .nullish();
export const moneyBagSchema = z.looseObject({ shopMoney: moneySchema }).nullish();

export function shopAmount(bag: z.infer<typeof moneyBagSchema>): string | null {
  return money(bag?.shopMoney?.amount);
}

export const addressSchema = z
  .looseObject({
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    company: z.string().nullish(),
    address1: z.string().nullish(),
    address2: z.string().nullish(),
    city: z.string().nullish(),
    province: z.string().nullish(),
    provinceCode: z.string().nullish(),
    zip: z.string().nullish(),
    country: z.string().nullish(),
    countryCodeV2: z.string().nullish(),
    phone: z.string().nullish(),
  })
  .nullish();

/** A MailingAddress in the canonical address shape (the WooCommerce billing/shipping keys). */
export function address(value: z.infer<typeof addressSchema>): Record<string, string | null> | null {
  if (!value) return null;
  return {
    firstName: text(value.firstName),
    lastName: text(value.lastName),
    company: text(value.company),
    address1: text(value.address1),
    address2: text(value.address2),
    city: text(value.city),
    state: text(value.provinceCode) ?? text(value.province),
    postcode: text(value.zip),
    country: text(value.countryCodeV2) ?? text(value.country),
    email: null,
    phone: text(value.phone),
  };
}

/** `{ id }` references (`customer { id }`) → the gid or null. */
export const refSchema = z.looseObject({ id: z.string() }).nullish();

export function ref(value: z.infer<typeof refSchema>): string | null {
  return value?.id ?? null;
}

/** A connection as the page queries return it (`{ nodes: [...] }`); bulk rows are rebuilt in this shape. */
export function nodesOf<T extends z.ZodType>(node: T) {
  return z.looseObject({ nodes: z.array(node) }).nullish();
}

export function rawGid(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '';
}

export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'item'}: ${issue.message}`)
    .join('; ');
}
