import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  credentialsAad,
  decryptCredentials,
  encryptCredentials,
  parseEncryptionKey,
  parseEncryptionKeys,
  storedKid,
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
    expect(stored).toMatch(/^v2:default:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain(credentials.secret);
    expect(decryptCredentials(key, stored, aad)).toEqual(credentials);
  });

  test('a fresh 12-byte IV every time', () => {
    const a = encryptCredentials(key, credentials, aad);
    const b = encryptCredentials(key, credentials, aad);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split(':')[2]!, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.split(':')[3]!, 'base64')).toHaveLength(16);
  });

  test('a wrong key fails with ENCRYPTION_FAILED', () => {
    const stored = encryptCredentials(key, credentials, aad);
    const other = parseEncryptionKey(randomBytes(32).toString('hex'));
    const err = expectEncryptionFailure(() => decryptCredentials(other, stored, aad));
    expect(err.message).toMatch(/SYNC_ENCRYPTION_KEY/);
  });

  test('tampered ciphertext, tag or IV fails with ENCRYPTION_FAILED', () => {
    const stored = encryptCredentials(key, credentials, aad);
    const [v, kid, iv, tag, data] = stored.split(':') as [string, string, string, string, string];
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = bytes[0]! ^ 0x01;
      return bytes.toString('base64');
    };
    for (const tampered of [
      [v, kid, iv, tag, flip(data)],
      [v, kid, iv, flip(tag), data],
      [v, kid, flip(iv), tag, data],
    ]) {
      expectEncryptionFailure(() => decryptCredentials(key, tampered.join(':'), aad));
    }
  });

  test('malformed stored values fail with ENCRYPTION_FAILED', () => {
    for (const bad of [
      '',
      'plain',
      'v2:a:b:c',
      'v2::AAAA:AAAA:AAAA',
      'v3:a:b:c:d',
      'v1:only:three',
      'v1:AAAA:AAAA:AAAA',
    ]) {
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

describe('key rotation', () => {
  const oldHex = randomBytes(32).toString('hex');
  const newHex = randomBytes(32).toString('hex');

  /** A v1 value as the release before rotation wrote it (no key id). */
  function v1Value(hex: string): string {
    const stored = encryptCredentials(parseEncryptionKey(hex), credentials, aad);
    const [, , iv, tag, data] = stored.split(':');
    return ['v1', iv, tag, data].join(':');
  }

  test('SYNC_ENCRYPTION_KEYS: the first key encrypts under its kid, every key decrypts', () => {
    const before = encryptCredentials(parseEncryptionKeys(`2025:${oldHex}`), credentials, aad);
    expect(storedKid(before)).toBe('2025');
    const ring = parseEncryptionKeys(`2026:${newHex}, 2025:${oldHex}`);
    expect(ring.currentKid).toBe('2026');
    expect(decryptCredentials(ring, before, aad)).toEqual(credentials);
    const after = encryptCredentials(ring, credentials, aad);
    expect(storedKid(after)).toBe('2026');
    expect(decryptCredentials(parseEncryptionKeys(`2026:${newHex}`), after, aad)).toEqual(credentials);
    // The old key alone no longer reads what the new one wrote.
    expectEncryptionFailure(() => decryptCredentials(parseEncryptionKeys(`2025:${oldHex}`), after, aad));
  });

  test('v1 values (before key ids) are read with any key of the ring', () => {
    const stored = v1Value(oldHex);
    expect(storedKid(stored)).toBeUndefined();
    expect(decryptCredentials(parseEncryptionKey(oldHex), stored, aad)).toEqual(credentials);
    expect(decryptCredentials(parseEncryptionKeys(`new:${newHex},old:${oldHex}`), stored, aad)).toEqual(
      credentials,
    );
    expectEncryptionFailure(() => decryptCredentials(parseEncryptionKeys(`new:${newHex}`), stored, aad));
  });

  test('a kid the ring does not name: every key is tried, and the message names the kid', () => {
    const stored = encryptCredentials(parseEncryptionKey(oldHex), credentials, aad); // kid "default"
    expect(decryptCredentials(parseEncryptionKeys(`renamed:${oldHex}`), stored, aad)).toEqual(credentials);
    const err = expectEncryptionFailure(() =>
      decryptCredentials(parseEncryptionKeys(`other:${newHex}`), stored, aad),
    );
    expect(err.message).toMatch(/key "default"/);
  });

  test('bad SYNC_ENCRYPTION_KEYS entries are each named, never echoing a key', () => {
    const short = randomBytes(16).toString('hex');
    try {
      parseEncryptionKeys(`ok:${newHex},bad:${short},:${oldHex},ok:${oldHex}`);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const { issues, message } = err as ConfigError;
      expect(issues).toEqual([
        'SYNC_ENCRYPTION_KEYS: key "bad": must be 32 bytes: 64 hex characters or base64 (openssl rand -hex 32)',
        'SYNC_ENCRYPTION_KEYS: entry 3: must be <kid>:<key>, kid of 1-32 letters, digits, _ or -',
        'SYNC_ENCRYPTION_KEYS: key "ok": appears twice',
      ]);
      for (const secret of [newHex, short, oldHex]) expect(message).not.toContain(secret);
    }
  });
});
