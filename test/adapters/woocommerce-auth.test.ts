import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { builtInSources } from '../../src/adapters/registry.js';
import { WooCommerceAdapter } from '../../src/adapters/woocommerce/adapter.js';
import { authenticate, oauthBaseString, percentEncode } from '../../src/adapters/woocommerce/auth.js';
import { ErrorCodes } from '../../src/errors.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { loopbackEgress } from '../helpers/egress.js';
import { collect, pageRequest, rejection, wooAdapter } from './woo-helpers.js';

// A fresh fake per test: a finished walk's speculative requests may still land after it returns.
let fake: FakeWooServer;
beforeEach(async () => {
  fake = await startFakeWooCommerce({ customers: 120, products: 10, orders: 5 });
});
afterEach(async () => fake?.close());

describe('auth modes against the fake (signatures verified for real)', () => {
  test.each([
    ['oauth1', { authMode: 'oauth1' }],
    ['oauth1', { authMode: 'oauth1', oauthSignatureMethod: 'HMAC-SHA256' }],
    ['basic', { authMode: 'basic' }],
    ['query', { authMode: 'query' }],
    ['oauth1', {}], // default for http://
  ] as const)('%s %j walks every customer', async (mode, settings) => {
    const before = fake.requestCount;
    const adapter = wooAdapter(fake, { settings });
    const { ids } = await collect(adapter.pages(pageRequest('customer', { pageSize: 50 })));
    expect(ids).toEqual(fake.store.ids('customer'));
    const mine = fake.requests.slice(before);
    expect(mine.every((r) => r.auth === mode && r.status === 200)).toBe(true);
    if (mode === 'oauth1') {
      const method = (settings as { oauthSignatureMethod?: string }).oauthSignatureMethod ?? 'HMAC-SHA1';
      expect(
        mine.every((r) => r.query.oauth_signature_method === method && r.query.oauth_version === '1.0'),
      ).toBe(true);
      expect(mine.some((r) => 'consumer_secret' in r.query)).toBe(false);
    }
  });

  test('basic is the default for https stores', () => {
    const request = authenticate(
      { mode: 'basic', signatureMethod: 'HMAC-SHA1', consumerKey: 'ck_a', consumerSecret: 'cs_b' },
      'GET',
      'https://shop.example.com/wp-json/wc/v3/customers',
      [['per_page', '10']],
    );
    expect(request.headers?.authorization).toBe(`Basic ${Buffer.from('ck_a:cs_b').toString('base64')}`);
    expect(request.url).toBe('https://shop.example.com/wp-json/wc/v3/customers?per_page=10');
  });

  test.each(['oauth1', 'basic', 'query'])(
    '%s with a wrong secret: SOURCE_AUTH_FAILED, fatal, one request',
    async (authMode) => {
      const wrongSecret = 'cs_0000000000000000000000000000000000000bad';
      const adapter = new WooCommerceAdapter({
        connectionId: 'c',
        baseUrl: fake.url,
        credentials: { key: fake.consumerKey, secret: wrongSecret },
        settings: { authMode },
        retryBaseMs: 1,
        dispatcher: loopbackEgress.dispatcher,
      });
      const before = fake.requestCount;
      const err = await rejection(collect(adapter.pages(pageRequest('customer'))));
      expect(err).toMatchObject({ code: ErrorCodes.SOURCE_AUTH_FAILED, retry: 'fatal' });
      expect(err.details).toMatchObject({ status: 401, wooCode: 'woocommerce_rest_authentication_error' });
      expect(fake.requestCount - before).toBe(1);
      for (const text of [err.message, JSON.stringify(err), String(err.stack)]) {
        expect(text).not.toContain(wrongSecret);
        expect(text).not.toContain(fake.consumerKey);
      }
      expect(adapter.classifyError(err)).toBe(err);
    },
  );

  test('a wrong key is refused too, and no credentials at all is woocommerce_rest_cannot_view', async () => {
    const wrongKey = wooAdapter(fake, {
      credentials: { key: 'ck_nope1234567890', secret: fake.consumerSecret },
    });
    const err = await rejection(wrongKey.count({ entity: 'customer', mode: 'full', since: null }));
    expect(err.message).toContain('Consumer key is invalid');
    const res = await fetch(`${fake.url}/wp-json/wc/v3/customers`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'woocommerce_rest_cannot_view', data: { status: 401 } });
  });

  test('a replayed OAuth nonce is refused by the fake, so every attempt is signed afresh', async () => {
    const prepared = authenticate(
      {
        mode: 'oauth1',
        signatureMethod: 'HMAC-SHA1',
        consumerKey: fake.consumerKey,
        consumerSecret: fake.consumerSecret,
      },
      'GET',
      `${fake.url}/wp-json/wc/v3/customers`,
      [
        ['_fields', 'id,email'],
        ['modified_after', '2025-01-01T00:00:00'],
      ],
    );
    expect((await fetch(prepared.url)).status).toBe(200);
    const replay = await fetch(prepared.url);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ message: 'Invalid nonce - nonce has already been used.' });
  });

  test('missing credentials fail at construction with a clear message', () => {
    expect(
      () => new WooCommerceAdapter({ connectionId: 'c', baseUrl: fake.url, credentials: {}, settings: {} }),
    ).toThrow(/consumerKey/);
    expect(
      () => new WooCommerceAdapter({ ...fake.connection({ authMode: 'digest' }), connectionId: 'c' }),
    ).toThrow(/authMode/);
  });

  test('the registry builds it', async () => {
    const definition = builtInSources.get('woocommerce');
    expect(await definition.create({ connectionId: 'c', ...fake.connection() })).toBeInstanceOf(
      WooCommerceAdapter,
    );
  });
});

describe('OAuth 1.0a signature (RFC 5849)', () => {
  test('percent-encoding is RFC 3986', () => {
    expect(percentEncode("a b!*'()~-._:/,=&%")).toBe('a%20b%21%2A%27%28%29~-._%3A%2F%2C%3D%26%25');
  });

  test('the base string matches the example of RFC 5849 §3.4.1.1', () => {
    const params = [
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['c2', ''],
      ['a3', '2 q'],
    ] as const;
    expect(oauthBaseString('post', 'http://EXAMPLE.COM:80/request', params)).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D' +
        '%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method' +
        '%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });
});
