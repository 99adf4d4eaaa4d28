import { describe, expect, test } from 'vitest';
import { kindOfOdooError } from '../../src/adapters/odoo/faults.js';
import type { OdooTrouble } from '../fakes/odoo/server.js';
import { collect, MemoryRateBudget, pageRequest, rejection } from './woo-helpers.js';
import { dataCalls, odooAdapter, PROTOCOLS, useFakeOdoo } from './odoo-helpers.js';

const start = useFakeOdoo({ customers: 20 });

describe('exception names classify, whatever the HTTP status they come with', () => {
  test.each([
    ['odoo.exceptions.AccessDenied', 'auth'],
    ['odoo.exceptions.AccessError', 'forbidden'],
    ['odoo.exceptions.ValidationError', 'bad_request'],
    ['odoo.exceptions.UserError', 'bad_request'],
    ['builtins.ValueError', 'bad_request'],
    ['builtins.TypeError', 'bad_request'],
    ['werkzeug.exceptions.Unauthorized', 'auth'],
    ['werkzeug.exceptions.NotFound', 'not_found'],
    ['psycopg2.errors.SerializationFailure', 'unavailable'],
    ['psycopg2.OperationalError', 'unavailable'],
    ['odoo.exceptions.MissingError', 'unavailable'],
    ['builtins.RecursionError', 'unavailable'],
  ])('%s → %s', (name, kind) => {
    expect(kindOfOdooError(name, 'whatever')).toBe(kind);
  });

  test('a database that does not exist is not worth a retry', () => {
    expect(kindOfOdooError('psycopg2.OperationalError', 'FATAL:  database "shop" does not exist')).toBe(
      'not_found',
    );
  });
});

describe.each(PROTOCOLS)('%s', (protocol) => {
  test('wrong credentials: open() fails once with a clear message, no retry, no secret in it', async () => {
    const fake = await start();
    const adapter = odooAdapter(fake, {
      protocol,
      credentials: { db: fake.auth.db, username: fake.auth.login, password: 'wrong-secret-value' },
    });
    const err = await rejection(adapter.open());
    expect(err).toMatchObject({ code: 'SOURCE_AUTH_FAILED', retry: 'fatal' });
    expect(err.message).toMatch(
      protocol === 'jsonrpc' ? /login refused \(common\.authenticate answered false\)/ : /Invalid apikey/,
    );
    expect(err.message).not.toContain('wrong-secret-value');
    expect(fake.requestCount).toBe(1);
    expect(adapter.classifyError(err)).toBe(err);
  });

  test('a wrong database name fails at once', async () => {
    const fake = await start();
    const adapter = odooAdapter(fake, {
      protocol,
      credentials: {
        db: 'no_such_db',
        username: fake.auth.login,
        password: protocol === 'json2' ? fake.auth.apiKey : fake.auth.password,
      },
    });
    const err = await rejection(adapter.open());
    expect(err).toMatchObject({ code: 'SOURCE_NOT_FOUND', retry: 'fatal' });
    expect(err.message).toMatch(/no_such_db/);
    expect(fake.requestCount).toBe(1);
  });

  const retried: [string, OdooTrouble][] = [
    ['a serialization failure', { kind: 'fault', fault: 'serialization' }],
    ['an OperationalError', { kind: 'fault', fault: 'operational' }],
    ['502 from the proxy', { kind: 'http', status: 502 }],
    ['503 from the proxy', { kind: 'http', status: 503 }],
    ['504 from the proxy', { kind: 'http', status: 504 }],
  ];
  test.each(retried)('%s is retried in place, then the page is served', async (_, trouble) => {
    const fake = await start();
    const adapter = odooAdapter(fake, { protocol });
    await adapter.open();
    fake.failNext(2, trouble);
    const { ids } = await collect(adapter.pages(pageRequest('customer')));
    expect(ids).toHaveLength(20);
    expect(fake.requests.filter((r) => r.trouble).length).toBe(2);
  });

  test('429 with Retry-After: every worker is told to pause, then the request is retried', async () => {
    const fake = await start();
    const budget = new MemoryRateBudget();
    const adapter = odooAdapter(fake, { protocol, rateBudget: budget });
    await adapter.open();
    fake.failNext(1, { kind: 'http', status: 429, retryAfterSeconds: 1 });
    const total = await adapter.count({ entity: 'customer', mode: 'full', since: null });
    expect(total).toBe(20);
    expect(budget.pauses).toEqual([1000]);
    expect(dataCalls(fake, 'search_count').map((r) => r.trouble ?? 'answered')).toEqual([
      'http-429',
      'answered',
    ]);
  });

  test('a request that hangs times out and is retried', async () => {
    const fake = await start();
    const adapter = odooAdapter(fake, { protocol, httpTimeoutMs: 2000 });
    await adapter.open();
    fake.failNext(1, { kind: 'hang', ms: 60_000 });
    const before = fake.requestCount;
    expect(await adapter.count({ entity: 'customer', mode: 'full', since: null })).toBe(20);
    // the hung request is still unanswered (so not in the log); a second one got the answer
    expect(fake.requestCount - before).toBeGreaterThanOrEqual(2);
    expect(fake.requests.some((r) => r.trouble === 'hang')).toBe(false);
  });

  const fatal: [string, OdooTrouble, string][] = [
    ['AccessError', { kind: 'fault', fault: 'access' }, 'SOURCE_FORBIDDEN'],
    ['ValidationError', { kind: 'fault', fault: 'validation' }, 'SOURCE_BAD_REQUEST'],
    ['UserError', { kind: 'fault', fault: 'user' }, 'SOURCE_BAD_REQUEST'],
    ['ValueError (a bad domain)', { kind: 'fault', fault: 'value' }, 'SOURCE_BAD_REQUEST'],
  ];
  test.each(fatal)('%s is fatal: one request, a typed error naming it', async (name, trouble, code) => {
    const fake = await start();
    const adapter = odooAdapter(fake, { protocol });
    await adapter.open();
    fake.failNext(1, trouble);
    const before = fake.requestCount;
    const err = await rejection(collect(adapter.pages(pageRequest('customer'))));
    expect(err).toMatchObject({ code, retry: 'fatal' });
    expect(err.message).toContain(name.split(' ')[0]!);
    expect(err.message).not.toContain(fake.auth.password);
    expect(err.message).not.toContain(fake.auth.apiKey);
    expect(fake.requestCount - before).toBe(1);
  });

  test('an entity whose app is not installed fails at once with the server’s reason', async () => {
    const fake = await start({ uninstalled: ['sale.order'] });
    const adapter = odooAdapter(fake, { protocol });
    await adapter.open();
    const err = await rejection(adapter.count({ entity: 'order', mode: 'full', since: null }));
    expect(err).toMatchObject({ retry: 'fatal' });
    expect(err.message).toMatch(/sale\.order.*(doesn't|does not) exist.*installed/);
    expect(fake.requestCount).toBe(2); // the login, then the one refused call
  });
});

test('JSON-RPC logs in once per adapter and sends the password in the body, never in the URL', async () => {
  const fake = await start();
  const adapter = odooAdapter(fake);
  await adapter.count({ entity: 'customer', mode: 'full', since: null });
  await adapter.count({ entity: 'supplier', mode: 'full', since: null });
  expect(fake.requests.filter((r) => r.method === 'authenticate')).toHaveLength(1);
  expect(fake.requests.map((r) => r.protocol)).toEqual(['jsonrpc', 'jsonrpc', 'jsonrpc']);
});
