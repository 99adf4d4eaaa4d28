import { afterAll, describe, expect, test } from 'vitest';
import { SourceHttpClient } from '../../src/adapters/http/source-http.js';
import { createEgress, type Egress } from '../../src/egress/egress.js';
import { ErrorCodes } from '../../src/errors.js';
import { collect, pageRequest, rejection, useFakeStore, wooAdapter } from '../adapters/woo-helpers.js';
import { startFakeWooCommerce } from '../fakes/woocommerce/server.js';

// Every connection attempt here is to 127.0.0.1 (the fakes) or refused before a socket opens.

const start = useFakeStore();
const egresses: Egress[] = [];
afterAll(async () => {
  for (const egress of egresses) await egress.close();
});

/** An egress whose resolver answers from a table (no DNS), closed after the file. */
function egress(allow: string | undefined, answers: Record<string, string[]> = {}): Egress {
  const created = createEgress(allow, async (host) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  );
  egresses.push(created);
  return created;
}

function client(dispatcher?: Egress['dispatcher']) {
  return new SourceHttpClient({
    source: 'WooCommerce',
    requestRetries: 3,
    retryBaseMs: 1,
    ...(dispatcher ? { dispatcher } : {}),
  });
}

describe('connect-time checks: loopback refused in every spelling, before any socket opens', () => {
  test.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}`],
    ['localhost', (port: number) => `http://localhost:${port}`],
    ['0x7f000001', (port: number) => `http://0x7f000001:${port}`],
    ['2130706433', (port: number) => `http://2130706433:${port}`],
    ['[::1]', (port: number) => `http://[::1]:${port}`],
    ['[::ffff:127.0.0.1]', (port: number) => `http://[::ffff:127.0.0.1]:${port}`],
  ])('%s, by a client given no dispatcher (nothing internal allowed)', async (_label, urlOf) => {
    const server = await start({ customers: 3 });
    const port = Number(new URL(server.url).port);
    const err = await rejection(
      client().requestJson(() => ({ url: `${urlOf(port)}/wp-json/wc/v3/customers` })),
    );
    expect(err).toMatchObject({ code: ErrorCodes.EGRESS_DENIED, retry: 'fatal' });
    expect(err.message).toMatch(/loopback address/);
    expect(server.requestCount).toBe(0);
  });

  test('a host name that resolves to 127.0.0.1 while the allow list does not name it', async () => {
    const server = await start({ customers: 3 });
    const port = Number(new URL(server.url).port);
    const { dispatcher } = egress('10.0.0.0/8,store.example.test', { 'rebind.example.test': ['127.0.0.1'] });
    const err = await rejection(
      client(dispatcher).requestJson(() => ({
        url: `http://rebind.example.test:${port}/wp-json/wc/v3/customers`,
      })),
    );
    expect(err).toMatchObject({
      code: ErrorCodes.EGRESS_DENIED,
      details: { host: 'rebind.example.test', address: '127.0.0.1', reason: 'loopback' },
    });
    expect(server.requestCount).toBe(0);
  });

  test('with SYNC_EGRESS_ALLOW=127.0.0.1/32 the fake works as before', async () => {
    const server = await start({ customers: 7 });
    const { ids } = await collect(
      wooAdapter(server, { dispatcher: egress('127.0.0.1/32').dispatcher }).pages(pageRequest('customer')),
    );
    expect(ids).toHaveLength(7);
  });

  test('each new connection resolves and checks again: an answer that changes to a refused address is refused', async () => {
    const server = await start({ customers: 3 });
    const port = Number(new URL(server.url).port);
    const answers: Record<string, string[]> = { 'flip.example.test': ['127.0.0.1'] };
    const { dispatcher } = egress('127.0.0.1/32', answers);
    const http = client(dispatcher);
    const url = `http://flip.example.test:${port}/wp-json/wc/v3/customers`;
    // First connection: 127.0.0.1 is allowed (the fake answers 401: no credentials).
    const first = await rejection(http.requestJson(() => ({ url, headers: { connection: 'close' } })));
    expect(first).toMatchObject({ code: ErrorCodes.SOURCE_AUTH_FAILED });
    expect(server.requestCount).toBe(1);
    answers['flip.example.test'] = ['127.0.0.2']; // rebinding to an address the list does not open
    const second = await rejection(http.requestJson(() => ({ url, headers: { connection: 'close' } })));
    expect(second).toMatchObject({ code: ErrorCodes.EGRESS_DENIED, details: { address: '127.0.0.2' } });
    expect(server.requestCount).toBe(1);
  });
});

describe('redirects', () => {
  test('from an allowed host to a refused one: not followed, EGRESS_DENIED, the target never asked', async () => {
    const target = await startFakeWooCommerce({ customers: 1 });
    try {
      const server = await start({ customers: 3, consumerSecret: 'cs_redirect_secret_0123456789' });
      server.options.inject = () => ({
        status: 302,
        headers: { location: `${target.url}/wp-json/wc/v3/customers?stolen=1` },
        body: '',
      });
      const port = Number(new URL(server.url).port);
      // The store is allowed by name (it resolves to 127.0.0.1); the target, 127.0.0.1 by number, is not.
      const { dispatcher } = egress('store.example.test', { 'store.example.test': ['127.0.0.1'] });
      const adapter = wooAdapter(server, {
        baseUrl: `http://store.example.test:${port}`,
        settings: { authMode: 'query' },
        dispatcher,
      });
      const err = await rejection(collect(adapter.pages(pageRequest('customer'))));
      expect(err).toMatchObject({
        code: ErrorCodes.EGRESS_DENIED,
        retry: 'fatal',
        details: { reason: 'cross-origin-redirect' },
      });
      expect(err.message).toMatch(/redirects to another origin \(http:\/\/127\.0\.0\.1:\d+\); not followed/);
      expect(err.message).not.toContain(server.consumerSecret);
      expect(err.message).not.toContain(server.consumerKey);
      expect(target.requestCount).toBe(0);
      expect(server.requestCount).toBe(1);
    } finally {
      await target.close();
    }
  });

  test('to another origin on the same host (another port) is not followed either', async () => {
    const server = await start({ customers: 3 });
    server.options.inject = () => ({
      status: 301,
      headers: { location: 'http://127.0.0.1:1/moved' },
      body: '',
    });
    const err = await rejection(wooAdapter(server).count({ entity: 'customer', mode: 'full', since: null }));
    expect(err).toMatchObject({
      code: ErrorCodes.EGRESS_DENIED,
      details: { reason: 'cross-origin-redirect' },
    });
  });

  test('a same-origin redirect is followed through the same checks, credentials kept', async () => {
    const server = await start({ customers: 4 });
    server.options.inject = (_n, request) =>
      request.route === 'old-customers'
        ? { status: 308, headers: { location: '/wp-json/wc/v3/customers?per_page=100&page=1' }, body: '' }
        : undefined;
    const http = new SourceHttpClient({
      source: 'WooCommerce',
      dispatcher: egress('127.0.0.1/32').dispatcher,
    });
    const basic = `Basic ${Buffer.from(`${server.consumerKey}:${server.consumerSecret}`).toString('base64')}`;
    const res = await http.requestJson(() => ({
      url: `${server.url}/wp-json/wc/v3/old-customers`,
      headers: { authorization: basic },
    }));
    expect(res.body).toHaveLength(4);
    expect(server.requests.map((r) => [r.route, r.auth, r.status])).toEqual([
      ['old-customers', 'basic', 308],
      ['customers', 'basic', 200],
    ]);
  });

  test('a redirect loop ends after 5 hops', async () => {
    const server = await start({ customers: 1 });
    server.options.inject = () => ({ status: 302, headers: { location: '/wp-json/wc/v3/loop' }, body: '' });
    const http = new SourceHttpClient({
      source: 'WooCommerce',
      requestRetries: 0,
      dispatcher: egress('127.0.0.1/32').dispatcher,
    });
    const err = await rejection(http.requestJson(() => ({ url: `${server.url}/wp-json/wc/v3/loop` })));
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_BAD_RESPONSE });
    expect(err.message).toMatch(/more than 5 redirects/);
    expect(server.requestCount).toBe(6);
  });
});

describe("a source's error body in messages", () => {
  test('JSON or HTML, it appears only as a short line without control or bidi characters', async () => {
    const server = await start({ customers: 1 });
    const noisy = `internal\r\nX-Injected: 1\u0007 \u202Egnp.exe ${'z'.repeat(5000)}`;
    server.options.inject = (n) =>
      n === 1
        ? {
            status: 400,
            body: { code: 'rest_invalid_param', message: noisy, data: { params: { per_page: noisy } } },
          }
        : { status: 404, headers: { 'content-type': 'text/html' }, body: `<p>${noisy}</p>` };
    for (let i = 0; i < 2; i++) {
      const err = await rejection(
        wooAdapter(server).count({ entity: 'customer', mode: 'full', since: null }),
      );
      // The request line (URL with its redacted OAuth parameters) plus at most 200 characters of the body.
      expect(err.message.match(/z+/)?.[0].length).toBeLessThan(200);
      expect(err.message.length).toBeLessThan(700);
      expect(err.message).not.toMatch(/[\r\n\u202E]/);
      expect(err.message).not.toContain('\u0007');
      expect(err.message).toContain('internal X-Injected: 1 gnp.exe zzz');
      const details = JSON.stringify(err.details);
      expect(details.length).toBeLessThan(800);
      expect(details).not.toMatch(/\\r|\\n|\\u0007|\u202E/);
    }
  });
});
