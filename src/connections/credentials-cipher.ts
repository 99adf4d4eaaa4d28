import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import type { Config } from '../config.js';
import { ConfigError, ErrorCodes, SyncWorkerError } from '../errors.js';
import { DEFAULT_KID, keyBytes, keyRing, parseKeyList, type KeyRing } from './key-ring.js';

/**
 * Connection credentials at rest: AES-256-GCM under the current key of the
 * key ring (SYNC_ENCRYPTION_KEYS, or SYNC_ENCRYPTION_KEY alone).
 *
 * Stored form: `v2:<kid>:<iv>:<tag>:<ciphertext>` (each base64), a fresh
 * random 12-byte IV per encryption; `v1:<iv>:<tag>:<ciphertext>` (no key id,
 * written before key rotation) is still read, with every accepted key in
 * turn. The additional authenticated data (AAD) binds a ciphertext to its
 * owner (org and connection): a value copied into another row does not
 * decrypt. Errors never carry a key or the plaintext.
 */

/** The key ring credentials are encrypted and decrypted with. */
export type CredentialsKey = KeyRing;

/** Credentials of one connection: flat string fields (key/secret, token, db/username/password). */
export type Credentials = Record<string, string>;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses SYNC_ENCRYPTION_KEY (64 hex characters or base64 of 32 bytes): a ring of one key, kid `default`. */
export function parseEncryptionKey(value: string): CredentialsKey {
  const bytes = keyBytes(value);
  if (!bytes) {
    throw new ConfigError([
      'SYNC_ENCRYPTION_KEY: must be 32 bytes: 64 hex characters or base64 (openssl rand -hex 32)',
    ]);
  }
  return keyRing([[DEFAULT_KID, bytes]]);
}

/** Parses SYNC_ENCRYPTION_KEYS (`kid:key,kid:key…`, the first current). */
export function parseEncryptionKeys(value: string): CredentialsKey {
  const { entries, issues } = parseKeyList(value);
  if (issues.length) throw new ConfigError(issues.map((i) => `SYNC_ENCRYPTION_KEYS: ${i}`));
  return keyRing(entries);
}

/** The ring the configuration names (SYNC_ENCRYPTION_KEYS, else SYNC_ENCRYPTION_KEY), or undefined. */
export function keyRingFromConfig(
  config: Pick<Config, 'SYNC_ENCRYPTION_KEY' | 'SYNC_ENCRYPTION_KEYS'>,
): CredentialsKey | undefined {
  if (config.SYNC_ENCRYPTION_KEYS) return parseEncryptionKeys(config.SYNC_ENCRYPTION_KEYS);
  if (config.SYNC_ENCRYPTION_KEY) return parseEncryptionKey(config.SYNC_ENCRYPTION_KEY);
  return undefined;
}

/** The configured ring; CONFIG_INVALID naming SYNC_ENCRYPTION_KEY and `why` when there is none. */
export function requireKeyRing(
  config: Pick<Config, 'SYNC_ENCRYPTION_KEY' | 'SYNC_ENCRYPTION_KEYS'>,
  why: string,
): CredentialsKey {
  const ring = keyRingFromConfig(config);
  if (!ring) throw new ConfigError([`SYNC_ENCRYPTION_KEY: is required ${why} (or SYNC_ENCRYPTION_KEYS)`]);
  return ring;
}

/** The kid a stored value was encrypted under (`v2`), or undefined (`v1`, or unreadable). */
export function storedKid(stored: string): string | undefined {
  return /^v2:([^:]+):/.exec(stored)?.[1];
}

/** Encrypts a credentials object under the current key; `aad` names its owner (see `credentialsAad`). */
export function encryptCredentials(ring: CredentialsKey, credentials: Credentials, aad: string): string {
  const key = ring.keys.get(ring.currentKid)!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v2', ring.currentKid, iv.toString('base64'), tag.toString('base64'), data.toString('base64')].join(
    ':',
  );
}

/**
 * Decrypts a stored value (v2 with its kid's key; v1, or a kid this ring does
 * not name, with each accepted key); ENCRYPTION_FAILED when no key, the AAD
 * or the bytes match.
 */
export function decryptCredentials(ring: CredentialsKey, stored: string, aad: string): Credentials {
  const parts = stored.split(':');
  const version = parts[0];
  const kid = version === 'v2' ? parts[1] : undefined;
  const body = version === 'v2' ? parts.slice(2) : parts.slice(1);
  const [ivB64, tagB64, dataB64] = body;
  if (
    (version !== 'v1' && version !== 'v2') ||
    (version === 'v2' && !kid) ||
    body.length !== 3 ||
    !ivB64 ||
    !tagB64 ||
    dataB64 === undefined
  ) {
    throw failure(
      'stored credentials are in neither the v2:<kid>:<iv>:<tag>:<data> nor the v1:<iv>:<tag>:<data> format',
    );
  }
  const iv = Buffer.from(ivB64, 'base64');
  const tag = Buffer.from(tagB64, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw failure('stored credentials have a malformed IV or authentication tag');
  }
  const named = kid === undefined ? undefined : ring.keys.get(kid);
  const candidates = named ? [named] : [...ring.keys.values()];
  for (const key of candidates) {
    const plaintext = tryDecrypt(key, iv, tag, Buffer.from(dataB64, 'base64'), aad);
    if (plaintext !== undefined) return parseCredentials(plaintext);
  }
  throw failure(
    'could not decrypt connection credentials: ' +
      (kid !== undefined && !named
        ? `they were encrypted with key "${kid}", which SYNC_ENCRYPTION_KEYS does not hold, and no other key fits`
        : 'the configured key differs from the one they were encrypted with (SYNC_ENCRYPTION_KEY / ' +
          'SYNC_ENCRYPTION_KEYS), or the stored value was altered or belongs to another connection'),
  );
}

function tryDecrypt(key: KeyObject, iv: Buffer, tag: Buffer, data: Buffer, aad: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The AAD of a connection's credentials: its org and its id. */
export function credentialsAad(orgId: string, connectionId: string): string {
  return `integration_connection:${orgId.toLowerCase()}:${connectionId.toLowerCase()}`;
}

function parseCredentials(plaintext: string): Credentials {
  let value: unknown;
  try {
    value = JSON.parse(plaintext);
  } catch {
    throw failure('decrypted credentials are not valid JSON');
  }
  const isFlatStrings =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string');
  if (!isFlatStrings) throw failure('decrypted credentials are not an object of strings');
  return value as Credentials;
}

function failure(message: string): SyncWorkerError {
  return new SyncWorkerError(ErrorCodes.ENCRYPTION_FAILED, message, { retry: 'fatal' });
}
