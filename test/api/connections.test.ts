import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHarness, type ApiHarness, type Org } from './harness.js';

let h: ApiHarness;
let a: Org;
let b: Org;
beforeAll(async () => {
  h = await createApiHarness('api_connections');
  [a, b] = [await h.newOrg(), await h.newOrg()];
  await h.addConnection(a, 'a-shop');
  await h.addConnection(b, 'b-shop');
});
afterAll(async () => h?.close());

const woo = {
  type: 'woocommerce',
  name: 'new-shop',
  baseUrl: 'https://new.example.invalid/',
  credentials: { key: 'ck_secretkey', secret: 'cs_secretvalue' },
};

describe('GET /api/v1/connections', () => {
  test("lists only the user's org, without credentials", async () => {
    const res = await h.as(a.userId, { method: 'GET', url: '/api/v1/connections' });
    expect(res.statusCode).toBe(200);
    const { connections } = res.json();
    expect(connections.map((c: { name: string }) => c.name)).toEqual(['a-shop']);
    expect(connections[0].orgId).toBe(a.orgId);
    expect(connections[0]).not.toHaveProperty('credentials');
    expect(res.body).not.toMatch(/ck_test|cs_test|v1:|v2:/);
  });
});

describe('POST /api/v1/connections', () => {
  test("creates the connection in the user's org; the answer has no credentials; the row is encrypted", async () => {
    const res = await h.as(a.userId, { method: 'POST', url: '/api/v1/connections', payload: woo });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      orgId: a.orgId,
      type: 'woocommerce',
      name: 'new-shop',
      baseUrl: 'https://new.example.invalid',
    });
    expect(res.body).not.toMatch(/ck_secretkey|cs_secretvalue/);
    const { rows } = await h.db.pool.query(
      'SELECT org_id, credentials FROM integration_connection WHERE id = $1',
      [created.id],
    );
    expect(rows[0].org_id).toBe(a.orgId);
    expect(rows[0].credentials).toMatch(/^v2:default:/);
    expect(rows[0].credentials).not.toContain('ck_secretkey');

    const listB = await h.as(b.userId, { method: 'GET', url: '/api/v1/connections' });
    expect(listB.json().connections.map((c: { name: string }) => c.name)).toEqual(['b-shop']);
  });

  test('Shopify: the token is encrypted like WooCommerce keys; the API version is pinned; bad settings are named', async () => {
    const shopify = {
      type: 'shopify',
      name: 'new-shopify',
      baseUrl: 'https://new-shop.myshopify.invalid',
      credentials: { token: 'shpat_secret_token_value' },
      settings: { bulkThreshold: 1000 },
    };
    const res = await h.as(a.userId, { method: 'POST', url: '/api/v1/connections', payload: shopify });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      type: 'shopify',
      settings: { apiVersion: '2026-10', bulkThreshold: 1000 },
    });
    expect(res.body).not.toContain('shpat_secret_token_value');
    const { rows } = await h.db.pool.query('SELECT credentials FROM integration_connection WHERE id = $1', [
      res.json().id,
    ]);
    expect(rows[0].credentials).toMatch(/^v2:default:/);
    expect(rows[0].credentials).not.toContain('shpat_secret_token_value');

    const bad = await h.as(a.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: {
        ...shopify,
        name: 'bad-shopify',
        credentials: {},
        settings: { apiVersion: 'latest', maxQueryCost: 5000 },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^body\.credentials\.token: is required/),
        expect.stringMatching(/^body\.settings\.apiVersion: must be a dated API version/),
        expect.stringMatching(/^body\.settings\.maxQueryCost: /),
      ]),
    );
  });

  test('a malformed body → 400 VALIDATION_FAILED with one issue per field', async () => {
    const res = await h.as(a.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: { type: 'woocommerce', name: '', baseUrl: 'ftp://x', credentials: { key: 'nope' } },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^body\.name: /),
        expect.stringMatching(/^body\.baseUrl: must use http or https/),
        expect.stringMatching(/^body\.credentials\.key: must be a consumer key/),
        expect.stringMatching(/^body\.credentials\.secret: /),
      ]),
    );
    expect(res.body).not.toContain('nope');
  });

  test('a body that is not an object, or not JSON → 400', async () => {
    const notObject = await h.as(a.userId, { method: 'POST', url: '/api/v1/connections', payload: [1, 2] });
    expect(notObject.statusCode).toBe(400);
    expect(notObject.json().error.details.issues[0]).toMatch(/^body: must be a JSON object/);
    const notJson = await h.as(a.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: '{"type":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('VALIDATION_FAILED');
  });

  test("another org's orgId → 403, nothing written", async () => {
    const res = await h.as(a.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: { ...woo, name: 'sneaky', orgId: b.orgId },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    const { rowCount } = await h.db.pool.query(`SELECT 1 FROM integration_connection WHERE name = 'sneaky'`);
    expect(rowCount).toBe(0);
  });

  test('a duplicate name in the org → 400', async () => {
    const res = await h.as(a.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: { ...woo, name: 'a-shop' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/already exists/);
  });
});
