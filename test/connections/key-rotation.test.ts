import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  credentialsAad,
  encryptCredentials,
  parseEncryptionKeys,
  storedKid,
} from '../../src/connections/credentials-cipher.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { parseJsonOutput, runCli } from '../helpers/cli.js';
import { createSyncHarness, TEST_ENCRYPTION_KEY, type SyncHarness } from '../helpers/sync-harness.js';

// Connections written under the old key (as `v1`, before key ids, and as `v2:default`), then
// `connection rekey` with SYNC_ENCRYPTION_KEYS=new:…,default:old, then workers holding only the new key.

const NEW_KEY = randomBytes(32).toString('hex');
let h: SyncHarness;
let fake: FakeWooServer;

beforeAll(async () => {
  h = await createSyncHarness('key_rotation');
  fake = await startFakeWooCommerce({ customers: 30 });
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function credentialsOf(id: string): Promise<string> {
  const { rows } = await h.db.pool.query('SELECT credentials FROM integration_connection WHERE id = $1', [
    id,
  ]);
  return rows[0].credentials;
}

/** Rewrites a connection's value as the release before key ids stored it: `v1:<iv>:<tag>:<data>`. */
async function asV1(id: string): Promise<void> {
  const [, , iv, tag, data] = (await credentialsOf(id)).split(':');
  await h.db.pool.query('UPDATE integration_connection SET credentials = $2 WHERE id = $1', [
    id,
    ['v1', iv, tag, data].join(':'),
  ]);
}

const rekey = (keys: string, ...flags: string[]) =>
  runCli(['connection', 'rekey', '--json', ...flags], {
    DATABASE_URL: h.db.url,
    SYNC_ENCRYPTION_KEYS: keys,
  });

describe('key rotation', () => {
  test('connections created before rotation sync after `rekey` with only the new key configured', async () => {
    const legacy = await h.addConnection(fake.connection());
    await asV1(legacy.id);
    const current = await h.addConnection(fake.connection());
    // A run that stopped after its first chunk left this one on the new key already.
    const third = await h.addConnection(fake.connection());
    await h.db.pool.query('UPDATE integration_connection SET credentials = $2 WHERE id = $1', [
      third.id,
      encryptCredentials(
        parseEncryptionKeys(`new:${NEW_KEY}`),
        fake.connection().credentials,
        credentialsAad(third.orgId, third.id),
      ),
    ]);
    expect(await credentialsOf(legacy.id)).toMatch(/^v1:/);
    expect(storedKid(await credentialsOf(current.id))).toBe('default');

    const first = await rekey(`new:${NEW_KEY},default:${TEST_ENCRYPTION_KEY}`, '--chunk-size', '1');
    expect(first.code, first.stderr).toBe(0);
    expect(parseJsonOutput(first)).toEqual({
      currentKid: 'new',
      rekeyed: 2,
      alreadyCurrent: 1,
      failed: 0,
      failedIds: [],
    });
    for (const { id } of [legacy, current, third]) expect(storedKid(await credentialsOf(id))).toBe('new');

    // Idempotent: a second run finds nothing to do.
    const again = await rekey(`new:${NEW_KEY},default:${TEST_ENCRYPTION_KEY}`);
    expect(parseJsonOutput(again)).toMatchObject({ rekeyed: 0, alreadyCurrent: 3, failed: 0 });
    expect(`${first.stdout}${first.stderr}${again.stdout}${again.stderr}`).not.toContain(NEW_KEY);

    await h.startWorkers({ SYNC_ENCRYPTION_KEY: '', SYNC_ENCRYPTION_KEYS: `new:${NEW_KEY}` });
    for (const connection of [legacy, current, third]) {
      const { syncId } = await enqueueSync(h.runtime, {
        connectionId: connection.id,
        entityType: 'customer',
      });
      expect(await h.waitForStatus(syncId, ['completed', 'failed', 'completed_with_errors'])).toBe(
        'completed',
      );
      expect((await h.progress(syncId)).processedCount).toBe(30);
    }
  });

  test('a row no configured key decrypts is listed, left as is, and the run exits 1', async () => {
    const orphan = await h.addConnection(fake.connection());
    const other = randomBytes(32).toString('hex');
    const result = await rekey(`newer:${other}`);
    expect(result.code).toBe(1);
    const body = parseJsonOutput(result);
    // Every row is under "default" or "new", neither of which this ring holds.
    expect(body).toMatchObject({ currentKid: 'newer', rekeyed: 0, alreadyCurrent: 0 });
    expect(body.failedIds).toContain(orphan.id);
    expect(storedKid(await credentialsOf(orphan.id))).toBe('default');
  });
});
