import { describe, expect, test } from 'vitest';
import { FakeOdooDatabase } from '../fakes/odoo/database.js';
import { OdooFault } from '../fakes/odoo/faults.js';
import { createReferenceData } from '../fakes/odoo/reference.js';
import { startOdooStore } from '../fakes/odoo/control.js';
import type { FakeOdooServer } from '../fakes/odoo/server.js';
import { useFakeOdoo } from './odoo-helpers.js';

/**
 * The fake Odoo behaves as API_CONTRACTS.md §Odoo says (the adapter is only as
 * right as this): domains, active_test, ordering, value shapes, errors with
 * HTTP 200 on JSON-RPC and real statuses on JSON-2, and the proxy.
 */

const start = useFakeOdoo();

function partnersDb(precision: 'microsecond' | 'second' = 'microsecond') {
  const db = new FakeOdooDatabase({ writeDatePrecision: precision });
  createReferenceData(db);
  const a = db.create('res.partner', {
    name: 'Azure Interior',
    is_company: true,
    customer_rank: 2,
    email: 'azure@example.com',
  });
  const b = db.create('res.partner', {
    name: 'Brandon Freeman',
    parent_id: a.id,
    customer_rank: 1,
    city: 'Lyon',
  });
  const c = db.create('res.partner', {
    name: 'Colleen Diaz',
    supplier_rank: 1,
    email: 'colleen@example.com',
  });
  const d = db.create('res.partner', {
    name: 'Deco Addict',
    is_company: true,
    customer_rank: 1,
    active: false,
  });
  return { db, ids: { a: a.id, b: b.id, c: c.id, d: d.id } };
}

const names = (db: FakeOdooDatabase, domain: unknown[], activeTest = true) =>
  db.search('res.partner', domain, { order: 'id', activeTest }).map((r) => r.name);

function valueErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OdooFault);
    expect((err as OdooFault).pyName).toBe('builtins.ValueError');
    return (err as OdooFault).message;
  }
  throw new Error('expected a ValueError');
}

describe('domains', () => {
  test('operators, prefix & | !, implicit AND, false as empty, dotted paths', () => {
    const { db } = partnersDb();
    expect(names(db, [['customer_rank', '>', 0]])).toEqual(['Azure Interior', 'Brandon Freeman']);
    expect(names(db, [['customer_rank', '>=', 2]])).toEqual(['Azure Interior']);
    expect(
      names(db, [
        ['customer_rank', '<', 1],
        ['supplier_rank', '<=', 1],
        ['name', '!=', 'x'],
      ]),
    ).toEqual(['My Company (San Francisco)', 'Mitchell Admin', 'Colleen Diaz']);
    expect(names(db, ['|', ['name', '=', 'Colleen Diaz'], ['city', '=', 'Lyon']])).toEqual([
      'Brandon Freeman',
      'Colleen Diaz',
    ]);
    expect(names(db, ['!', ['customer_rank', '=', 0]])).toEqual(['Azure Interior', 'Brandon Freeman']);
    expect(names(db, ['&', ['customer_rank', '>', 0], ['email', '=', false]])).toEqual(['Brandon Freeman']);
    expect(
      names(db, [
        ['email', '!=', false],
        ['customer_rank', '>', 0],
      ]),
    ).toEqual(['Azure Interior']);
    expect(names(db, [['name', 'ilike', 'DIAZ']])).toEqual(['Colleen Diaz']);
    expect(names(db, [['name', 'like', 'diaz']])).toEqual([]);
    expect(names(db, [['name', '=ilike', 'colleen%']])).toEqual(['Colleen Diaz']);
    expect(names(db, [['name', 'not ilike', 'a']])).toEqual([]);
    expect(names(db, [['customer_rank', 'in', [2, 5]]])).toEqual(['Azure Interior']);
    expect(
      names(db, [
        ['parent_id', 'in', [false]],
        ['customer_rank', '>', 0],
      ]),
    ).toEqual(['Azure Interior']);
    expect(names(db, [['customer_rank', 'not in', [0]]])).toEqual(['Azure Interior', 'Brandon Freeman']);
    expect(names(db, [['parent_id.name', '=', 'Azure Interior']])).toEqual(['Brandon Freeman']);
    expect(names(db, [['parent_id', 'ilike', 'azure']])).toEqual(['Brandon Freeman']);
    expect(
      names(db, [
        [1, '=', 1],
        ['name', '=', 'Colleen Diaz'],
      ]),
    ).toEqual(['Colleen Diaz']);
  });

  test('unknown fields, unknown operators, malformed domains and non-stored fields are ValueErrors', () => {
    const { db } = partnersDb();
    expect(valueErrorOf(() => names(db, [['x_missing', '=', 1]]))).toBe(
      "Invalid field res.partner.x_missing in leaf ('x_missing', '=', 1)",
    );
    expect(valueErrorOf(() => names(db, [['name', '~', 'x']]))).toBe("Invalid leaf ('name', '~', 'x')");
    expect(valueErrorOf(() => names(db, ['|', ['name', '=', 'x']]))).toMatch(/syntactically not correct/);
    expect(valueErrorOf(() => names(db, [['name', '=']]))).toMatch(/Invalid leaf/);
    expect(valueErrorOf(() => names(db, [['display_name', '=', 'x']]))).toMatch(/Non-stored field/);
    expect(valueErrorOf(() => names(db, [['customer_rank', 'in', 1]]))).toMatch(/'in' or 'not in'/);
    expect(valueErrorOf(() => names(db, [['parent_id.x_nope', '=', 1]]))).toMatch(
      /Invalid field res.partner.x_nope/,
    );
    expect(() => db.search('res.partner', [], { order: 'nope asc' })).toThrow(/Invalid "order"/);
    expect(() => db.search('res.partner', [], { order: 'display_name' })).toThrow(/not stored/);
  });

  test('active_test hides archived records unless false, or unless the domain names active', () => {
    const { db } = partnersDb();
    expect(names(db, [['is_company', '=', true]])).not.toContain('Deco Addict');
    expect(names(db, [['is_company', '=', true]], false)).toContain('Deco Addict');
    expect(names(db, [['active', '=', false]])).toEqual(['Deco Addict']);
  });
});

describe('write_date: stored with microseconds, read in seconds', () => {
  test('two transactions in one second look tied on the wire, are not equal in a domain', () => {
    const { db, ids } = partnersDb();
    db.advance(3600);
    db.write('res.partner', [ids.a], { phone: '1' });
    db.write('res.partner', [ids.b], { phone: '2' });
    const [a, b] = db.read('res.partner', db.browse('res.partner', [ids.a, ids.b]), ['write_date']);
    expect(a!.write_date).toBe(b!.write_date);
    expect(a!.write_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const second = a!.write_date as string;
    expect(names(db, [['write_date', '=', second]])).toEqual([]);
    expect(names(db, [['write_date', '>', second]])).toEqual(['Azure Interior', 'Brandon Freeman']);
    expect(
      db.search('res.partner', [], { order: 'write_date desc, id asc', limit: 2 }).map((r) => r.id),
    ).toEqual([ids.b, ids.a]);
  });

  test('with second precision, one second is one value: = matches the whole second', () => {
    const { db, ids } = partnersDb('second');
    db.advance(3600);
    db.write('res.partner', [ids.a], { phone: '1' });
    db.write('res.partner', [ids.b], { phone: '2' });
    const second = db.read('res.partner', db.browse('res.partner', [ids.a]), ['write_date'])[0]!.write_date;
    expect(names(db, [['write_date', '=', second]])).toEqual(['Azure Interior', 'Brandon Freeman']);
  });

  test('unlinking a company clears its contacts’ parent_id below the ORM: their write_date stays', () => {
    const { db, ids } = partnersDb();
    const before = db.row('res.partner', ids.b)!.write_date;
    db.unlink('res.partner', [ids.a]);
    expect(db.row('res.partner', ids.b)).toMatchObject({ parent_id: null, write_date: before });
  });

  test('a bulk write stamps one write_date; offset and limit window the ordered set', () => {
    const { db, ids } = partnersDb();
    db.write('res.partner', [ids.c, ids.a, ids.b], { lang: 'fr_FR' });
    const rows = db.search('res.partner', [['lang', '=', 'fr_FR']], { order: 'write_date asc, id asc' });
    expect(new Set(rows.map((r) => r.write_date)).size).toBe(1);
    expect(rows.map((r) => r.id)).toEqual([ids.a, ids.b, ids.c]);
    const page = db.search('res.partner', [['lang', '=', 'fr_FR']], {
      order: 'id desc',
      offset: 1,
      limit: 1,
    });
    expect(page.map((r) => r.id)).toEqual([ids.b]);
  });
});

interface RpcAnswer {
  jsonrpc: '2.0';
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data: { name: string; message: string } };
}

/** A JSON-2 error body (a success is the bare result). */
interface Json2Error {
  name: string;
  message: string;
}

async function rpc(fake: FakeOdooServer, service: string, method: string, args: unknown[]) {
  const res = await fetch(`${fake.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 7 }),
  });
  return { status: res.status, body: (await res.json()) as RpcAnswer };
}

/** `object.execute_kw(db, uid 2, password, model, method, args, kwargs)`. */
function executeKw(
  fake: FakeOdooServer,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
  password = fake.auth.password,
) {
  return rpc(fake, 'object', 'execute_kw', [fake.auth.db, 2, password, model, method, args, kwargs]);
}

async function json2(fake: FakeOdooServer, path: string, body: unknown, key = fake.auth.apiKey) {
  const res = await fetch(`${fake.url}/json/2/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `bearer ${key}`,
      'x-odoo-database': fake.auth.db,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json2Error };
}

describe('JSON-RPC', () => {
  test('authenticate answers the uid, or false with HTTP 200 for a wrong password', async () => {
    const fake = await start({ customers: 3 });
    const { db, login, password, apiKey } = fake.auth;
    expect((await rpc(fake, 'common', 'authenticate', [db, login, password, {}])).body.result).toBe(2);
    expect((await rpc(fake, 'common', 'authenticate', [db, login, apiKey, {}])).body.result).toBe(2);
    const wrong = await rpc(fake, 'common', 'authenticate', [db, login, 'nope', {}]);
    expect(wrong).toEqual({ status: 200, body: { jsonrpc: '2.0', id: 7, result: false } });
  });

  test('execute_kw: values in Odoo shapes; errors with HTTP 200 and the exception name', async () => {
    const fake = await start({ customers: 30 });
    const read = await executeKw(fake, 'res.partner', 'search_read', [[['customer_rank', '>', 0]]], {
      fields: ['email', 'parent_id', 'state_id', 'write_date', 'category_id'],
      limit: 30,
      context: { active_test: false },
    });
    const rows = read.body.result as Record<string, unknown>[];
    expect(rows).toHaveLength(30);
    expect(rows.some((r) => r.email === false)).toBe(true);
    expect(
      rows.some((r) => Array.isArray(r.parent_id) && typeof (r.parent_id as unknown[])[1] === 'string'),
    ).toBe(true);
    expect(rows.every((r) => r.state_id === false || Array.isArray(r.state_id))).toBe(true);
    expect(rows.every((r) => Array.isArray(r.category_id))).toBe(true);
    expect(rows.every((r) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(r.write_date as string))).toBe(
      true,
    );

    const denied = await executeKw(fake, 'res.partner', 'search_count', [[]], {}, 'wrong');
    expect(denied.status).toBe(200);
    expect(denied.body.error).toMatchObject({
      code: 200,
      message: 'Odoo Server Error',
      data: { name: 'odoo.exceptions.AccessDenied', message: 'Access Denied' },
    });
    const bad = await executeKw(fake, 'res.partner', 'search_read', [], { nope: 1 });
    expect(bad.body.error!.data.name).toBe('builtins.TypeError');
    const missingDb = await rpc(fake, 'common', 'authenticate', ['other_db', 'x', 'y', {}]);
    expect(missingDb.body.error!.data).toMatchObject({ name: 'psycopg2.OperationalError' });
    expect(missingDb.body.error!.data.message).toMatch(/database "other_db" does not exist/);
  });

  test('read skips records unlinked since the search', async () => {
    const fake = await start({ orders: 2 });
    const lines = fake.db.search('sale.order.line', [], { order: 'id' }).map((r) => r.id);
    fake.db.unlink('sale.order.line', [lines[0]!]);
    const read = await executeKw(fake, 'sale.order.line', 'read', [lines], { fields: ['name'] });
    expect((read.body.result as { id: number }[]).map((r) => r.id)).toEqual(lines.slice(1));
  });
});

describe('JSON-2', () => {
  test('bearer API key, named arguments, the bare result', async () => {
    const fake = await start({ customers: 5 });
    const ok = await json2(fake, 'res.partner/search_count', { domain: [['customer_rank', '>', 0]] });
    expect(ok).toMatchObject({ status: 200, body: 5 });
    const read = await json2(fake, 'res.partner/read', { ids: [1], fields: ['name', 'country_id'] });
    expect(read.body).toEqual([
      { id: 1, name: 'My Company (San Francisco)', country_id: [233, 'United States'] },
    ]);
  });

  test('errors carry real statuses and the serialized exception', async () => {
    const fake = await start({ customers: 5 });
    const unauthorized = await json2(fake, 'res.partner/search_count', { domain: [] }, 'bad-key');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toMatchObject({
      name: 'werkzeug.exceptions.Unauthorized',
      message: 'Invalid apikey',
    });
    const badDomain = await json2(fake, 'res.partner/search_read', { domain: [['x_missing', '=', 1]] });
    expect(badDomain.status).toBe(500);
    expect(badDomain.body.name).toBe('builtins.ValueError');
    const badKw = await json2(fake, 'res.partner/search_read', { domain: [], nope: 1 });
    expect(badKw.status).toBe(422);
    expect((await json2(fake, 'x.model/search_read', {})).status).toBe(404);
    fake.failNext(1, { kind: 'fault', fault: 'access' });
    const forbidden = await json2(fake, 'res.partner/search_read', { domain: [] });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.name).toBe('odoo.exceptions.AccessError');
  });
});

describe('the proxy and the request log', () => {
  test('failNext answers 429 with Retry-After and 502 as HTML pages; faults wait for a model call', async () => {
    const fake = await start({ customers: 2 });
    fake.failNext(1, { kind: 'http', status: 429, retryAfterSeconds: 3 });
    fake.failNext(1, { kind: 'fault', fault: 'serialization' });
    fake.failNext(1, { kind: 'http', status: 502 });
    const limited = await fetch(`${fake.url}/jsonrpc`, { method: 'POST', body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.text()).toMatch(/<html>/);
    // the serialization fault skips the authenticate call and meets the next model call
    const { db, login, password } = fake.auth;
    expect((await rpc(fake, 'common', 'authenticate', [db, login, password, {}])).body.result).toBe(2);
    const serial = await executeKw(fake, 'res.partner', 'search_count', [[]], {});
    expect(serial).toMatchObject({
      status: 200,
      body: { error: { data: { name: 'psycopg2.errors.SerializationFailure' } } },
    });
    expect((await fetch(`${fake.url}/jsonrpc`, { method: 'POST', body: '{}' })).status).toBe(502);
    expect(fake.requestCount).toBe(4);
    expect(fake.requests.map((r) => r.trouble ?? null)).toEqual([
      'http-429',
      null,
      'serialization',
      'http-502',
    ]);
    expect(fake.requests[2]).toMatchObject({ model: 'res.partner', method: 'search_count', args: [[]] });
  });
});

describe('the store control the shared suites drive', () => {
  test('seed, modify, add, archive and remove report the ids they touched', async () => {
    const store = await startOdooStore();
    try {
      expect(store.ids('customer')).toEqual([]);
      const seeded = store.seed('customer', 40);
      expect(store.ids('customer')).toEqual(seeded);
      const modified = store.modify('customer', 4);
      expect(modified).toHaveLength(4);
      const stamps = modified.map(
        (id) => store.server.db.row('res.partner', Number(id))!.write_date as number,
      );
      expect(new Set(stamps).size).toBe(4); // one transaction each
      const added = store.add('customer', 3);
      const archived = store.archive('customer', 2);
      expect(archived.every((id) => store.server.db.row('res.partner', Number(id))!.active === false)).toBe(
        true,
      );
      const removed = store.remove('customer', 5);
      expect(store.ids('customer')).toHaveLength(40 + 3 - 5);
      expect(store.ids('customer')).toEqual(expect.arrayContaining(added));
      for (const id of removed) expect(store.ids('customer')).not.toContain(id);
      expect(() => store.archive('category', 1)).toThrow(/cannot be archived/);
      expect(store.badCredentials.password).not.toBe(store.credentials.password);
    } finally {
      await store.close();
    }
  });
});
