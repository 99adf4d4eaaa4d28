import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { entityTypes } from '../../src/validation.js';
import { createApiHarness, type ApiHarness, type Org } from '../api/harness.js';
import { fuzzParams, nastyJson, nastyString, objectWith, tamperedCursor } from './arbitraries.js';

// Property: whatever a client sends to any route (path segments, query strings, JSON bodies), the
// answer is a 2xx or a 4xx JSON error with a stable code; never a 500, and a 4xx writes nothing
// (Postgres and Redis unchanged). FUZZ_SEED / FUZZ_PATH / FUZZ_RUNS replay a failure.

let h: ApiHarness;
let org: Org;
let connectionId: string;
const codes = new Set<string>(Object.values(ErrorCodes));

beforeAll(async () => {
  h = await createApiHarness('api_fuzz');
  org = await h.newOrg();
  connectionId = (await h.addConnection(org)).id;
});
afterAll(async () => h?.close());

/** Everything a request could have written, as one string. */
async function fingerprint(): Promise<string> {
  const { rows } = await h.db.pool.query<{ f: string }>(`
    SELECT concat_ws('|',
      (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.id), '')) FROM integration_connection c),
      (SELECT count(*) FROM sync_progress),
      (SELECT count(*) FROM sync_activity_log),
      (SELECT count(*) FROM sync_record),
      (SELECT count(*) FROM sync_state),
      (SELECT count(*) FROM sync_preview_cache)) AS f`);
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await h.runtime.redis.scan(cursor, 'MATCH', `${h.redis.prefix}*`, 'COUNT', 1000);
    // The per-user request counters (api-rate) count every request: bookkeeping, not a write.
    keys += batch.filter((k) => !k.includes(':api-rate:')).length;
    cursor = next;
  } while (cursor !== '0');
  return `${rows[0]!.f}|${keys}`;
}

/** Percent-encodes every UTF-8 byte (encodeURIComponent throws on a lone surrogate; this sends U+FFFD). */
const pct = (v: string) =>
  [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const segment = fc.oneof(nastyString, fc.uuid()).map(pct);
const entity = fc.constantFrom(...entityTypes);
const queryValue = fc.oneof(nastyString, tamperedCursor, entity, fc.constantFrom('1', '200', 'true', 'keep'));
const queryString = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom(
        'limit',
        'cursor',
        'from',
        'to',
        'syncId',
        'entityType',
        'action',
        'status',
        'active',
        'mirror',
      ),
      nastyString,
    ),
    queryValue,
    { maxKeys: 4 },
  )
  .map((q) =>
    Object.entries(q)
      .map(([k, v]) => `${pct(k)}=${pct(v)}`)
      .join('&'),
  );

const connectionFields = {
  type: fc.constantFrom('woocommerce', 'odoo', 'shopify'),
  name: nastyString,
  baseUrl: fc.constantFrom('https://shop.example.invalid', 'http://127.0.0.1:1'),
  credentials: objectWith({ key: fc.constant('ck_x'), secret: fc.constant('cs_x'), token: nastyString }),
  settings: nastyJson,
  orgId: fc.uuid(),
};
const syncFields = {
  connectionId: fc.oneof(fc.uuid(), fc.constant('CONN')),
  entityType: entity,
  mode: fc.constantFrom('full', 'incremental'),
  refresh: fc.boolean(),
};

type Request = { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: unknown };

const request: fc.Arbitrary<Request> = fc.oneof(
  segment.map((s) => ({ method: 'GET' as const, url: `/api/v1/syncs/${s}` })),
  segment.map((s) => ({ method: 'POST' as const, url: `/api/v1/syncs/${s}/cancel` })),
  segment.map((s) => ({ method: 'GET' as const, url: `/api/v1/previews/${s}` })),
  queryString.map((q) => ({ method: 'GET' as const, url: `/api/v1/syncs?${q}` })),
  queryString.map((q) => ({ method: 'GET' as const, url: `/api/v1/activity?${q}` })),
  queryString.map((q) => ({ method: 'GET' as const, url: `/api/v1/connections?${q}` })),
  fc
    .tuple(segment, queryString)
    .map(([s, q]) => ({ method: 'DELETE' as const, url: `/api/v1/connections/${s}?${q}` })),
  fc
    .oneof(objectWith(syncFields), nastyJson)
    .map((body) => ({ method: 'POST' as const, url: '/api/v1/syncs', body })),
  fc
    .oneof(objectWith(syncFields), nastyJson)
    .map((body) => ({ method: 'POST' as const, url: '/api/v1/previews', body })),
  fc
    .oneof(objectWith(connectionFields), nastyJson)
    .map((body) => ({ method: 'POST' as const, url: '/api/v1/connections', body })),
  fc
    .tuple(fc.oneof(fc.constant('CONN'), segment), fc.oneof(objectWith(connectionFields), nastyJson))
    .map(([s, body]) => ({ method: 'PATCH' as const, url: `/api/v1/connections/${s}`, body })),
);

test('every request gets a 2xx or a 4xx JSON error with a stable code; a 4xx writes nothing', async () => {
  await fc.assert(
    fc.asyncProperty(request, async (req) => {
      const url = req.url.replace('CONN', connectionId);
      const body =
        req.body === undefined
          ? undefined
          : JSON.stringify(req.body).replaceAll('"CONN"', `"${connectionId}"`);
      const before = await fingerprint();
      const res = await h.as(org.userId, {
        method: req.method,
        url,
        ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'application/json' } }),
      });
      expect(res.statusCode, res.body).toBeLessThan(500);
      if (res.statusCode >= 400) {
        const error = (res.json() as { error: { code: string; message: string } }).error;
        expect(codes.has(error.code), error.code).toBe(true);
        expect(typeof error.message).toBe('string');
        expect(await fingerprint(), 'a refused request wrote something').toBe(before);
      }
    }),
    fuzzParams(150),
  );
});
