import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { ConfigError, ErrorCodes, SyncWorkerError } from '../errors.js';

/**
 * Connection credentials at rest: AES-256-GCM under SYNC_ENCRYPTION_KEY.
 *
 * Stored form: `v1:<iv>:<tag>:<ciphertext>` (each base64), a fresh random
 * 12-byte IV per encryption. The additional authenticated data (AAD) binds a
 * ciphertext to its owner (org and connection): a value copied into another
 * row does not decrypt. Errors never carry the key or the plaintext.
 */

/** The parsed key; a KeyObject so it never prints or serialises as bytes. */
export type CredentialsKey = KeyObject;

/** Credentials of one connection: flat string fields (key/secret, token, db/username/password). */
export type Credentials = Record<string, string>;

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Parses SYNC_ENCRYPTION_KEY: 64 hex characters or base64 of 32 bytes. */
export function parseEncryptionKey(value: string): CredentialsKey {
  const trimmed = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (bytes.length !== KEY_BYTES) {
    throw new ConfigError([
      'SYNC_ENCRYPTION_KEY: must be 32 bytes: 64 hex characters or base64 (openssl rand -hex 32)',
    ]);
  }
  return createSecretKey(bytes);
}

/** Encrypts a credentials object; `aad` names its owner (see `credentialsAad`). */
export function encryptCredentials(key: CredentialsKey, credentials: Credentials, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64'), tag.toString('base64'), data.toString('base64')].join(':');
}

/** Decrypts a stored value; ENCRYPTION_FAILED when the key, the AAD or the bytes do not match. */
export function decryptCredentials(key: CredentialsKey, stored: string, aad: string): Credentials {
  const parts = stored.split(':');
  const [version, ivB64, tagB64, dataB64] = parts;
  if (parts.length !== 4 || version !== VERSION || !ivB64 || !tagB64 || dataB64 === undefined) {
    throw failure('stored credentials are not in the v1:<iv>:<tag>:<data> format');
  }
  const iv = Buffer.from(ivB64, 'base64');
  const tag = Buffer.from(tagB64, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw failure('stored credentials have a malformed IV or authentication tag');
  }
  let plaintext: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(Buffer.from(dataB64, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw failure(
      'could not decrypt connection credentials: SYNC_ENCRYPTION_KEY differs from the key they were ' +
        'encrypted with, or the stored value was altered or belongs to another connection',
    );
  }
  return parseCredentials(plaintext);
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
