import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  credentialsAad,
  decryptCredentials,
  encryptCredentials,
  parseEncryptionKey,
} from '../../src/connections/credentials-cipher.js';
import { ConfigError, ErrorCodes, SyncWorkerError } from '../../src/errors.js';

const hexKey = randomBytes(32).toString('hex');
const key = parseEncryptionKey(hexKey);
const orgA = '11111111-1111-4111-8111-111111111111';
const orgB = '22222222-2222-4222-8222-222222222222';
const connectionId = '33333333-3333-4333-8333-333333333333';
const aad = credentialsAad(orgA, connectionId);
const credentials = { key: 'ck_visible', secret: 'cs_very_secret_value' };

function expectEncryptionFailure(fn: () => unknown): SyncWorkerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SyncWorkerError);
    const e = err as SyncWorkerError;
    expect(e.code).toBe(ErrorCodes.ENCRYPTION_FAILED);
    expect(e.retry).toBe('fatal');
    // Never the key nor the plaintext, in the message or the serialised error.
    const text = `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`;
    expect(text).not.toContain(hexKey);
    expect(text).not.toContain(credentials.secret);
    return e;
  }
  throw new Error('expected ENCRYPTION_FAILED');
}

describe('encryption key', () => {
  test('64 hex characters and base64 of the same 32 bytes are the same key', () => {
    const bytes = randomBytes(32);
    const fromHex = parseEncryptionKey(bytes.toString('hex'));
    const fromB64 = parseEncryptionKey(bytes.toString('base64'));
    const stored = encryptCredentials(fromHex, credentials, aad);
    expect(decryptCredentials(fromB64, stored, aad)).toEqual(credentials);
  });

  test('a key of the wrong size is a ConfigError naming SYNC_ENCRYPTION_KEY, not echoing it', () => {
    const short = randomBytes(16).toString('hex');
    expect(() => parseEncryptionKey(short)).toThrow(ConfigError);
    expect(() => parseEncryptionKey(short)).toThrow(/SYNC_ENCRYPTION_KEY/);
    expect(() => parseEncryptionKey(short)).not.toThrow(new RegExp(short));
  });

  test('the key object does not print its bytes', () => {
    expect(JSON.stringify({ key })).not.toContain(hexKey);
    expect(String(key)).not.toContain(hexKey);
  });
});

describe('credentials cipher', () => {
  test('round trip', () => {
    const stored = encryptCredentials(key, credentials, aad);
    expect(stored).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain(credentials.secret);
    expect(decryptCredentials(key, stored, aad)).toEqual(credentials);
  });

  test('a fresh 12-byte IV every time', () => {
    const a = encryptCredentials(key, credentials, aad);
    const b = encryptCredentials(key, credentials, aad);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split(':')[1]!, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.split(':')[2]!, 'base64')).toHaveLength(16);
  });

  test('a wrong key fails with ENCRYPTION_FAILED', () => {
    const stored = encryptCredentials(key, credentials, aad);
    const other = parseEncryptionKey(randomBytes(32).toString('hex'));
    const err = expectEncryptionFailure(() => decryptCredentials(other, stored, aad));
    expect(err.message).toMatch(/SYNC_ENCRYPTION_KEY/);
  });

  test('tampered ciphertext, tag or IV fails with ENCRYPTION_FAILED', () => {
    const stored = encryptCredentials(key, credentials, aad);
    const [v, iv, tag, data] = stored.split(':') as [string, string, string, string];
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = bytes[0]! ^ 0x01;
      return bytes.toString('base64');
    };
    for (const tampered of [
      [v, iv, tag, flip(data)],
      [v, iv, flip(tag), data],
      [v, flip(iv), tag, data],
    ]) {
      expectEncryptionFailure(() => decryptCredentials(key, tampered.join(':'), aad));
    }
  });

  test('malformed stored values fail with ENCRYPTION_FAILED', () => {
    for (const bad of ['', 'plain', 'v2:a:b:c', 'v1:only:three', 'v1:AAAA:AAAA:AAAA']) {
      expectEncryptionFailure(() => decryptCredentials(key, bad, aad));
    }
  });

  test('the AAD binds the value to its org and connection', () => {
    const stored = encryptCredentials(key, credentials, aad);
    expectEncryptionFailure(() => decryptCredentials(key, stored, credentialsAad(orgB, connectionId)));
    expectEncryptionFailure(() =>
      decryptCredentials(key, stored, credentialsAad(orgA, '44444444-4444-4444-8444-444444444444')),
    );
    // Case of the uuid does not matter.
    expect(decryptCredentials(key, stored, credentialsAad(orgA.toUpperCase(), connectionId))).toEqual(
      credentials,
    );
  });
});
