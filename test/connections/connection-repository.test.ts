import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createConnection,
  listConnections,
  loadConnection,
} from '../../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../../src/connections/credentials-cipher.js';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.js';
import { ErrorCodes, NotFoundError, SyncWorkerError, ValidationError } from '../../src/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let prisma: PrismaClient;
const key = parseEncryptionKey(randomBytes(32).toString('hex'));
const orgA = randomUUID();
const orgB = randomUUID();
const secret = 'cs_repository_secret_3f9a';

beforeAll(async () => {
  db = await createTestDatabase('connections_repo');
  prisma = createPrisma(db.url, { poolSize: 2 });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const woo = (name: string, orgId = orgA) => ({
  orgId,
  type: 'woocommerce',
  name,
  baseUrl: 'https://shop.example.com/',
  credentials: { key: 'ck_repository_key', secret },
  settings: { authMode: 'query' },
});

describe('connection repository', () => {
  test('create returns no credentials; load decrypts them', async () => {
    const created = await createConnection(prisma, key, woo('shop'));
    expect(created).toMatchObject({ orgId: orgA, type: 'woocommerce', name: 'shop' });
    expect(created.baseUrl).toBe('https://shop.example.com');
    expect(JSON.stringify(created)).not.toContain(secret);
    expect(created).not.toHaveProperty('credentials');

    const loaded = await loadConnection(prisma, key, created.id);
    expect(loaded).toEqual({
      id: created.id,
      orgId: orgA,
      type: 'woocommerce',
      name: 'shop',
      baseUrl: 'https://shop.example.com',
      settings: { authMode: 'query' },
      credentials: { key: 'ck_repository_key', secret },
    });
  });

  test('the stored value is ciphertext, never the secret', async () => {
    const created = await createConnection(prisma, key, woo('stored'));
    const { rows } = await db.pool.query('SELECT * FROM integration_connection WHERE id = $1', [created.id]);
    const row = JSON.stringify(rows[0]);
    expect(rows[0].credentials).toMatch(/^v2:default:/);
    expect(row).not.toContain(secret);
    expect(row).not.toContain('ck_repository_key');
  });

  test('a row moved to another org (or id) no longer decrypts', async () => {
    const created = await createConnection(prisma, key, woo('moved'));
    await db.pool.query('UPDATE integration_connection SET org_id = $2 WHERE id = $1', [created.id, orgB]);
    const err = await loadConnection(prisma, key, created.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncWorkerError);
    expect((err as SyncWorkerError).code).toBe(ErrorCodes.ENCRYPTION_FAILED);

    const copyId = randomUUID();
    await db.pool.query(
      `INSERT INTO integration_connection (id, org_id, type, name, base_url, credentials)
       SELECT $2, org_id, type, 'copy', base_url, credentials FROM integration_connection WHERE id = $1`,
      [created.id, copyId],
    );
    await expect(loadConnection(prisma, key, copyId)).rejects.toMatchObject({
      code: ErrorCodes.ENCRYPTION_FAILED,
    });
  });

  test('loading with another key fails with ENCRYPTION_FAILED', async () => {
    const created = await createConnection(prisma, key, woo('rotated'));
    const other = parseEncryptionKey(randomBytes(32).toString('base64'));
    await expect(loadConnection(prisma, other, created.id)).rejects.toMatchObject({
      code: ErrorCodes.ENCRYPTION_FAILED,
    });
  });

  test('duplicate (org, name) is a ValidationError; the same name in another org is fine', async () => {
    await createConnection(prisma, key, woo('dup'));
    const err = await createConnection(prisma, key, woo('dup')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/a connection named "dup" already exists/);
    await expect(createConnection(prisma, key, woo('dup', orgB))).resolves.toMatchObject({ orgId: orgB });
  });

  test('invalid input is a ValidationError and writes nothing', async () => {
    const before = await db.pool.query('SELECT count(*)::int AS n FROM integration_connection');
    await expect(
      createConnection(prisma, key, { ...woo('bad'), credentials: { key: 'ck_x' } }),
    ).rejects.toBeInstanceOf(ValidationError);
    const after = await db.pool.query('SELECT count(*)::int AS n FROM integration_connection');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  test('unknown or malformed ids are CONNECTION_NOT_FOUND', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const err = await loadConnection(prisma, key, id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).code).toBe(ErrorCodes.CONNECTION_NOT_FOUND);
    }
  });

  test("list returns one org's connections by name, without credentials", async () => {
    const org = randomUUID();
    await createConnection(prisma, key, woo('b-shop', org));
    await createConnection(prisma, key, {
      orgId: org,
      type: 'shopify',
      name: 'a-shop',
      baseUrl: 'https://a.myshopify.com',
      credentials: { token: 'shpat_list_token' },
    });
    const list = await listConnections(prisma, org);
    expect(list.map((c) => c.name)).toEqual(['a-shop', 'b-shop']);
    expect(list[0]!.settings).toEqual({ apiVersion: '2026-10' });
    expect(list[0]!.createdAt).toBeInstanceOf(Date);
    expect(JSON.stringify(list)).not.toMatch(/shpat_list_token|cs_|credentials/);
    await expect(listConnections(prisma, 'acme')).rejects.toBeInstanceOf(ValidationError);
  });
});
