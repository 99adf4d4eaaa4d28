import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { SourceHttpClient } from '../../src/adapters/http/source-http.js';
import { builtInSources } from '../../src/adapters/registry.js';
import {
  CostRateBudget,
  rateBudgetFor,
  rateBudgetKey,
  RequestRateBudget,
} from '../../src/sync/rate-budget/index.js';
import { loopbackEgress } from '../helpers/egress.js';
import { perCalendarSecond } from '../helpers/per-second.js';
import { createTestRedis } from '../helpers/redis.js';

const testRedis = createTestRedis('budget');
const redis = new Redis(testRedis.url, { maxRetriesPerRequest: 3 });
let n = 0;
const freshKey = () => `${testRedis.prefix}:rate-budget:test-${++n}-${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  redis.disconnect();
  await testRedis.cleanup();
});

async function bucket(key: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(key);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}

describe('the store key', () => {
  test('one key per store, whatever the spelling of its URL; under QUEUE_PREFIX', () => {
    const a = rateBudgetKey('{sync-worker}', 'https://Shop.Example.com/');
    expect(a).toMatch(/^\{sync-worker\}:rate-budget:[0-9a-f]{32}$/);
    expect(rateBudgetKey('{sync-worker}', 'https://shop.example.com:443')).toBe(a);
    expect(rateBudgetKey('{sync-worker}', 'https://shop.example.com/wp-json/wc/v3')).toBe(a);
    expect(rateBudgetKey('{sync-worker}', 'https://other.example.com')).not.toBe(a);
    expect(rateBudgetKey('{sync-worker}', 'https://shop.example.com/fr')).not.toBe(a);
  });

  test('the source definition decides the unit; the connection setting the rate', () => {
    const woo = builtInSources.get('woocommerce');
    const configured = rateBudgetFor(redis, testRedis.prefix, woo, {
      baseUrl: 'https://a.example.com',
      settings: { rateLimitPerSecond: 3 },
    });
    expect(configured).toBeInstanceOf(RequestRateBudget);
    expect((configured as RequestRateBudget).perSecond).toBe(3);
    const byDefault = rateBudgetFor(redis, testRedis.prefix, woo, {
      baseUrl: 'https://a.example.com',
      settings: {},
    });
    expect((byDefault as RequestRateBudget).perSecond).toBe(10);
    const shop = rateBudgetFor(redis, testRedis.prefix, builtInSources.get('shopify'), {
      baseUrl: 'https://s.myshopify.com',
      settings: {},
    });
    expect(shop).toBeInstanceOf(CostRateBudget);
  });
});

describe('requests per second', () => {
  test('three callers on one budget of 15/s: no calendar second has more than 15 grants', async () => {
    const budget = new RequestRateBudget(redis, freshKey(), 15);
    const grants: number[] = [];
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let i = 0; i < 15; i++) {
          await budget.take(1);
          grants.push(Date.now());
        }
      }),
    );
    expect(grants).toHaveLength(45);
    const seconds = perCalendarSecond(grants);
    expect(seconds[0]!.count).toBeLessThanOrEqual(15);
    // 45 requests at 15/s cannot fit in fewer than three calendar seconds.
    expect(seconds.length).toBeGreaterThanOrEqual(3);
  });

  test('three processes share one budget of 12/s', async () => {
    const key = freshKey();
    const script = fileURLToPath(new URL('../helpers/budget-taker.ts', import.meta.url));
    const run = () =>
      new Promise<number[]>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, testRedis.url, key, '12', '12'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('exit', (code) =>
          code === 0
            ? resolve(JSON.parse(out) as number[])
            : reject(new Error(`taker exited ${code}: ${err}`)),
        );
      });
    const grants = (await Promise.all([run(), run(), run()])).flat();
    expect(grants).toHaveLength(36);
    const seconds = perCalendarSecond(grants);
    expect(seconds[0]!.count).toBeLessThanOrEqual(12);
    expect(seconds.length).toBeGreaterThanOrEqual(3);
  });

  test('a pause holds every caller; a shorter pause never shortens it', async () => {
    const key = freshKey();
    const budget = new RequestRateBudget(redis, key, 100);
    await budget.pause(60_000);
    const pausedUntil = (await bucket(key)).pause!;
    await budget.pause(1_000);
    expect((await bucket(key)).pause).toBe(pausedUntil);
    expect(await redis.pttl(key)).toBeGreaterThan(60_000);
    const waiting = budget.take(1, AbortSignal.timeout(300));
    await expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  test('an abort while waiting rejects with its reason', async () => {
    const budget = new RequestRateBudget(redis, freshKey(), 0.5);
    await budget.take(1); // the next slot is two seconds away
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const waiting = budget.take(1, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});

describe('cost points (Shopify), with a simulated throttleStatus', () => {
  test('take reserves, settle refunds what the query did not cost', async () => {
    const key = freshKey();
    // Restoring 1 point in 100 s: what the bucket gains between two steps stays under 0.1 point.
    const budget = new CostRateBudget(redis, key, { capacity: 100, restorePerSecond: 0.01 });
    await budget.take(60);
    let state = await bucket(key);
    expect(state.cap).toBe(100);
    expect(state.pending).toBe(60);
    expect(state.avail).toBeGreaterThanOrEqual(40);
    expect(state.avail).toBeLessThan(41);
    await budget.settle(60, { actual: 22 });
    state = await bucket(key);
    expect(state.pending).toBe(0);
    expect(state.avail).toBeGreaterThanOrEqual(78);
    expect(state.avail).toBeLessThan(79);
  });

  test("the shop's throttleStatus replaces the shape and the level, minus what others still hold", async () => {
    const key = freshKey();
    const budget = new CostRateBudget(redis, key, { capacity: 1000, restorePerSecond: 50 });
    await budget.take(100); // query A, in flight
    await budget.take(100); // query B, in flight
    // A's answer: the shop has 2,000 points restoring 100/s, 1,650 left (it has not seen B yet).
    await budget.settle(100, { actual: 80, available: 1650, capacity: 2000, restorePerSecond: 100 });
    const state = await bucket(key);
    expect(state).toMatchObject({ cap: 2000, rate: 100, pending: 100 });
    expect(state.avail).toBeGreaterThanOrEqual(1550);
    expect(state.avail).toBeLessThan(1552);
  });

  test('THROTTLED: the bucket is what the shop says, and the next take waits (requested − available) / restoreRate', async () => {
    const key = freshKey();
    const budget = new CostRateBudget(redis, key, { capacity: 1000, restorePerSecond: 50 });
    await budget.take(200);
    // THROTTLED (HTTP 200, no data): the request cost nothing, 10 points left, restoring 50/s.
    await budget.settle(200, { actual: 0, available: 10, capacity: 1000, restorePerSecond: 50 });
    const started = Date.now();
    await budget.take(110); // needs 100 more points: 2 s at 50/s
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const state = await bucket(key);
    expect(state.pending).toBe(110);
    expect(state.avail).toBeGreaterThanOrEqual(0);
  });

  test('a failure settles with nothing observed: the reservation is released, not refunded', async () => {
    const key = freshKey();
    const budget = new CostRateBudget(redis, key, { capacity: 100, restorePerSecond: 0.01 });
    await budget.take(30);
    await budget.settle(30, {});
    const state = await bucket(key);
    expect(state.pending).toBe(0);
    expect(state.avail).toBeLessThan(71);
  });

  test('a pause holds cost takes too', async () => {
    const key = freshKey();
    const budget = new CostRateBudget(redis, key, { capacity: 100, restorePerSecond: 10 });
    await budget.pause(60_000);
    await expect(budget.take(1, AbortSignal.timeout(300))).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('the HTTP client settles cost budgets after every attempt', () => {
  test("with the answer's figures, and with nothing when there was no usable answer", async () => {
    const answers = [
      { status: 503, body: { errors: 'Service unavailable' } },
      {
        status: 200,
        body: {
          data: { shop: { id: 1 } },
          extensions: {
            cost: {
              requestedQueryCost: 50,
              actualQueryCost: 12,
              throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1988, restoreRate: 100 },
            },
          },
        },
      },
    ];
    const server = createServer((_req, res) => {
      const answer = answers.shift()!;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const key = freshKey();
      const budget = new CostRateBudget(redis, key, { capacity: 1000, restorePerSecond: 50 });
      const client = new SourceHttpClient({
        source: 'Shop',
        rateBudget: budget,
        retryBaseMs: 1,
        dispatcher: loopbackEgress.dispatcher,
      });
      type Cost = {
        extensions?: { cost?: { actualQueryCost?: number; throttleStatus?: Record<string, number> } };
      };
      const response = await client.requestJson(
        () => ({
          method: 'POST',
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql.json`,
          body: {},
        }),
        {
          budgetUnits: 50,
          observeCost: (res) => {
            const cost = (res?.body as Cost | undefined)?.extensions?.cost;
            const status = cost?.throttleStatus;
            return cost
              ? {
                  actual: cost.actualQueryCost,
                  available: status?.currentlyAvailable,
                  capacity: status?.maximumAvailable,
                  restorePerSecond: status?.restoreRate,
                }
              : {};
          },
        },
      );
      expect(response.status).toBe(200);
      const state = await bucket(key);
      // Two takes of 50 (the 503, then the answer), both settled: nothing left pending.
      expect(state).toMatchObject({ cap: 2000, rate: 100, pending: 0 });
      expect(state.avail).toBeGreaterThanOrEqual(1988);
      expect(state.avail).toBeLessThan(1990);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
