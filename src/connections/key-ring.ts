import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The credential keys of a process: the current one (new ciphertexts) and
 * every one still accepted (reading older rows). From `SYNC_ENCRYPTION_KEYS`
 * (`kid:key,kid:key`, the first current) or `SYNC_ENCRYPTION_KEY` alone (kid
 * {@link DEFAULT_KID}). Keys are KeyObjects, so they never print as bytes.
 */
export interface KeyRing {
  readonly currentKid: string;
  /** By kid, the current one first. */
  readonly keys: ReadonlyMap<string, KeyObject>;
}

/** The kid of SYNC_ENCRYPTION_KEY when it is the only key. */
export const DEFAULT_KID = 'default';

const KEY_BYTES = 32;
const KID = /^[A-Za-z0-9_-]{1,32}$/;

/** 64 hex characters or base64 of 32 bytes → the key bytes; undefined otherwise. */
export function keyBytes(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  return bytes?.length === KEY_BYTES ? bytes : undefined;
}

/**
 * Parses `kid:key[,kid:key…]`. Problems name the entry by position and kid,
 * never by its key.
 */
export function parseKeyList(value: string): { entries: [string, Buffer][]; issues: string[] } {
  const entries: [string, Buffer][] = [];
  const issues: string[] = [];
  value
    .split(',')
    .map((part) => part.trim())
    .forEach((part, index) => {
      const at = part.indexOf(':');
      const kid = at > 0 ? part.slice(0, at) : '';
      if (!KID.test(kid)) {
        issues.push(`entry ${index + 1}: must be <kid>:<key>, kid of 1-32 letters, digits, _ or -`);
        return;
      }
      const bytes = keyBytes(part.slice(at + 1));
      if (!bytes) {
        issues.push(`key "${kid}": must be 32 bytes: 64 hex characters or base64 (openssl rand -hex 32)`);
        return;
      }
      if (entries.some(([k]) => k === kid)) {
        issues.push(`key "${kid}": appears twice`);
        return;
      }
      entries.push([kid, bytes]);
    });
  if (!entries.length && !issues.length) issues.push('must hold at least one <kid>:<key>');
  return { entries, issues };
}

/** A ring from parsed entries, the first current. */
export function keyRing(entries: readonly (readonly [string, Buffer])[]): KeyRing {
  const first = entries[0];
  if (!first) throw new Error('a key ring needs at least one key');
  return {
    currentKid: first[0],
    keys: new Map(entries.map(([kid, bytes]) => [kid, createSecretKey(bytes)])),
  };
}
