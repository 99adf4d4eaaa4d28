/**
 * Shopify global ids: `gid://shopify/Customer/7001234567890`. Ordered by their
 * numeric tail (as Shopify's `sortKey: ID` does), never as strings, where
 * `…/99` would sort after `…/100`.
 */
const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/;

/** The numeric tail of a gid as a bigint, or null when `value` is not a Shopify gid. */
export function gidNumber(value: string): bigint | null {
  const match = GID.exec(value);
  return match ? BigInt(match[2]!) : null;
}

/** The resource type of a gid (`Customer`), or null. */
export function gidType(value: string): string | null {
  return GID.exec(value)?.[1] ?? null;
}

/** Order of two external ids: gids by their numeric tail, anything else as strings. */
export function compareGids(a: string, b: string): number {
  const x = gidNumber(a);
  const y = gidNumber(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}
