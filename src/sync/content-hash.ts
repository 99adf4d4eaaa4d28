import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The JSON text a record is hashed and stored as. Adapters build canonical
 * data with a fixed key order (object literals, in code), so the native
 * serialiser is stable: equal data, equal text, equal hash.
 */
export function canonicalJson(data: unknown): string {
  return JSON.stringify(data);
}

/** sha256 (hex) of the canonical data: "unchanged" means an equal hash. */
export function contentHash(data: unknown): string {
  return sha256Hex(canonicalJson(data));
}
