import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHarness, type ApiHarness, type Org } from '../api/harness.js';
import { parseJsonOutput, runCli } from '../helpers/cli.js';

// `connection add` (API and CLI) with the default policy: nothing internal allowed. Refused
// hosts are checked as data (literals) or resolved without DNS (localhost); none is connected to.

let h: ApiHarness;
let org: Org;
beforeAll(async () => {
  h = await createApiHarness('egress_add', { SYNC_EGRESS_ALLOW: '' });
  org = await h.newOrg();
});
afterAll(async () => h?.close());

const woo = (name: string, baseUrl: string) => ({
  type: 'woocommerce',
  name,
  baseUrl,
  credentials: { key: 'ck_egress_key_1', secret: 'cs_egress_secret_1' },
});

const refused: [string, string][] = [
  ['http://127.0.0.1:6379', 'loopback'],
  ['http://localhost:8080/shop', 'loopback'],
  ['http://shop.localhost/', 'loopback'],
  ['http://0x7f000001/', 'loopback'],
  ['http://2130706433/', 'loopback'],
  ['http://[::1]:5432', 'loopback'],
  ['http://[::ffff:127.0.0.1]/', 'loopback'],
  ['http://169.254.169.254/latest/meta-data', 'cloud-metadata'],
  ['http://metadata.google.internal/', 'metadata-host'],
  ['http://10.0.0.1/', 'private'],
  ['http://[fd00::1]/', 'unique-local'],
  ['http://100.64.0.1/', 'carrier-grade-nat'],
];

async function storedNames(): Promise<string[]> {
  const { rows } = await h.db.pool.query('SELECT name FROM integration_connection WHERE org_id = $1', [
    org.orgId,
  ]);
  return rows.map((r) => r.name as string);
}

describe('POST /api/v1/connections refuses internal targets', () => {
  test.each(refused)('%s → 422 EGRESS_DENIED (%s)', async (baseUrl, reason) => {
    const name = `refused-${randomUUID().slice(0, 8)}`;
    const res = await h.as(org.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: woo(name, baseUrl),
    });
    expect(res.statusCode).toBe(422);
    const { error } = res.json();
    expect(error).toMatchObject({ code: 'EGRESS_DENIED', details: { reason } });
    expect(error.message).toMatch(/^egress denied: .*SYNC_EGRESS_ALLOW/);
    expect(res.body).not.toMatch(/ck_egress_key_1|cs_egress_secret_1/);
    expect(await storedNames()).not.toContain(name);
  });

  test('a host that does not resolve now is accepted (every sync checks again)', async () => {
    const res = await h.as(org.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: woo('later', 'https://shop.example.invalid'),
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('sync-worker connection add refuses internal targets', () => {
  const orgId = randomUUID();
  const add = (name: string, url: string, env: Record<string, string> = {}) =>
    runCli(
      ['connection', 'add', '--org', orgId, '--type', 'woocommerce', '--name', name, '--url', url].concat([
        '--key',
        'ck_egress_key_1',
        '--secret',
        'cs_egress_secret_1',
        '--json',
      ]),
      { DATABASE_URL: h.db.url, SYNC_ENCRYPTION_KEY: 'a1'.repeat(32), ...env },
    );

  test('127.0.0.1, localhost, 0x7f000001, 2130706433, [::1]: exit 1, EGRESS_DENIED, nothing stored', async () => {
    const urls = [
      'http://127.0.0.1:1/',
      'http://localhost:1/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://[::1]:1/',
    ];
    const results = await Promise.all(urls.map((url, i) => add(`cli-refused-${i}`, url)));
    results.forEach((result, i) => {
      expect(result.code, urls[i]).toBe(1);
      expect(parseJsonOutput(result)).toMatchObject({
        error: { code: 'EGRESS_DENIED', details: { reason: 'loopback' } },
      });
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/ck_egress_key_1|cs_egress_secret_1/);
    });
    const { rowCount } = await h.db.pool.query('SELECT 1 FROM integration_connection WHERE org_id = $1', [
      orgId,
    ]);
    expect(rowCount).toBe(0);
  });

  test('SYNC_EGRESS_ALLOW=127.0.0.1/32 opens loopback (the test suites’ fakes)', async () => {
    const result = await add('cli-allowed', 'http://127.0.0.1:1/', { SYNC_EGRESS_ALLOW: '127.0.0.1/32' });
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(parseJsonOutput(result))).toEqual(['id']);
  });
});
