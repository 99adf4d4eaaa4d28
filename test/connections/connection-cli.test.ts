import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli, type CliResult } from '../helpers/cli.js';

let db: TestDatabase;
let env: Record<string, string>;
const orgId = randomUUID();
const encryptionKey = randomBytes(32).toString('hex');
const secrets = ['cs_cli_secret_9d2e7a', 'shpat_cli_token_51c0', 'odoo-cli-password-77'];

beforeAll(async () => {
  db = await createTestDatabase('connections_cli');
  env = { DATABASE_URL: db.url, SYNC_ENCRYPTION_KEY: encryptionKey };
});
afterAll(async () => db?.drop());

const add = (...flags: string[]) => ['connection', 'add', '--org', orgId, ...flags];

function expectNoSecrets(result: CliResult): void {
  for (const s of [...secrets, encryptionKey]) {
    expect(result.stdout).not.toContain(s);
    expect(result.stderr).not.toContain(s);
  }
}

describe('sync-worker connection', () => {
  test('add --json prints exactly {"id"} and stores ciphertext', async () => {
    const result = await runCli(
      add(
        '--type',
        'woocommerce',
        '--name',
        'cli shop',
        '--url',
        'https://shop.example.invalid/',
        '--key',
        'ck_cli_key',
        '--secret',
        secrets[0]!,
        '--auth-mode',
        'oauth1',
        '--setting',
        'region=eu',
        '--json',
      ),
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const body = JSON.parse(lines[0]!);
    expect(Object.keys(body)).toEqual(['id']);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expectNoSecrets(result);

    const { rows } = await db.pool.query('SELECT * FROM integration_connection WHERE id = $1', [body.id]);
    expect(rows[0]).toMatchObject({
      org_id: orgId,
      type: 'woocommerce',
      base_url: 'https://shop.example.invalid',
      settings: { authMode: 'oauth1', region: 'eu' },
    });
    expect(JSON.stringify(rows[0])).not.toContain(secrets[0]);
  });

  test('add for shopify and odoo, then list --json without credentials', async () => {
    const shopify = await runCli(
      add(
        '--type',
        'shopify',
        '--name',
        'cli shopify',
        '--url',
        'https://s.myshopify.invalid',
        '--token',
        secrets[1]!,
      ),
      env,
    );
    expect(shopify.code).toBe(0);
    expect(shopify.stdout).toMatch(/added shopify connection "cli shopify"/);
    expectNoSecrets(shopify);
    const odoo = await runCli(
      add(
        '--type',
        'odoo',
        '--name',
        'cli odoo',
        '--url',
        'http://odoo.invalid:8069',
        '--db',
        'prod',
        '--username',
        'admin',
        '--password',
        secrets[2]!,
        '--json',
      ),
      env,
    );
    expect(odoo.code).toBe(0);
    expectNoSecrets(odoo);

    const list = await runCli(['connection', 'list', '--org', orgId, '--json'], env);
    expect(list.code).toBe(0);
    expectNoSecrets(list);
    const body = JSON.parse(list.stdout);
    expect(Object.keys(body)).toEqual(['connections']);
    expect(body.connections.map((c: { name: string }) => c.name)).toEqual([
      'cli odoo',
      'cli shop',
      'cli shopify',
    ]);
    for (const c of body.connections) {
      expect(Object.keys(c).sort()).toEqual([
        'baseUrl',
        'createdAt',
        'id',
        'name',
        'orgId',
        'settings',
        'type',
      ]);
    }
    expect(body.connections[2].settings).toEqual({ apiVersion: '2026-10' });
  });

  test('woocommerce without --secret exits 2 naming the flag', async () => {
    const result = await runCli(
      add(
        '--type',
        'woocommerce',
        '--name',
        'no secret',
        '--url',
        'https://x.example.invalid',
        '--key',
        'ck_x',
      ),
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--secret: is required/);
    const json = await runCli(
      add(
        '--type',
        'woocommerce',
        '--name',
        'no secret',
        '--url',
        'https://x.example.invalid',
        '--key',
        'ck_x',
        '--json',
      ),
      env,
    );
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED' });
    const { rows } = await db.pool.query(`SELECT 1 FROM integration_connection WHERE name = 'no secret'`);
    expect(rows).toHaveLength(0);
  });

  test('bad flags are all listed at once, exit 2', async () => {
    const result = await runCli(
      ['connection', 'add', '--org', 'acme', '--type', 'magento', '--url', 'ftp://x', '--setting', 'novalue'],
      env,
    );
    expect(result.code).toBe(2);
    for (const flag of ['--org', '--type', '--name', '--url', '--setting']) {
      expect(result.stderr).toContain(`${flag}`);
    }
  });

  test('a duplicate name exits 2 with a clear message', async () => {
    const flags = add(
      '--type',
      'shopify',
      '--name',
      'twice',
      '--url',
      'https://t.myshopify.invalid',
      '--token',
      secrets[1]!,
    );
    expect((await runCli(flags, env)).code).toBe(0);
    const again = await runCli(flags, env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/a connection named "twice" already exists/);
    expectNoSecrets(again);
  });

  test('missing SYNC_ENCRYPTION_KEY exits 2 naming it', async () => {
    const result = await runCli(
      add(
        '--type',
        'shopify',
        '--name',
        'no key',
        '--url',
        'https://k.myshopify.invalid',
        '--token',
        secrets[1]!,
      ),
      { DATABASE_URL: db.url },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SYNC_ENCRYPTION_KEY: is required/);
    expectNoSecrets(result);
  });

  test('a malformed SYNC_ENCRYPTION_KEY exits 2 without echoing it', async () => {
    const result = await runCli(
      add(
        '--type',
        'shopify',
        '--name',
        'bad key',
        '--url',
        'https://k.myshopify.invalid',
        '--token',
        secrets[1]!,
      ),
      { DATABASE_URL: db.url, SYNC_ENCRYPTION_KEY: 'too-short-key' },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SYNC_ENCRYPTION_KEY/);
    expect(result.stderr).not.toContain('too-short-key');
  });
});
