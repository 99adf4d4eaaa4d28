import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { parseRetryAfter, SourceHttpClient } from '../../src/adapters/http/source-http.js';
import { redactUrl } from '../../src/adapters/http/redact.js';
import { ErrorCodes } from '../../src/errors.js';
import { loopbackEgress } from '../helpers/egress.js';
import {
  collect,
  MemoryRateBudget,
  pageRequest,
  rejection,
  wooAdapter,
  useFakeStore,
} from './woo-helpers.js';

const start = useFakeStore();

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  test.each([
    ['120', 120_000],
    ['0', 0],
    [' 3 ', 3_000],
    ['Sun, 01 Jun 2025 12:00:30 GMT', 30_000],
    ['Sunday, 01-Jun-25 12:00:05 GMT', 5_000],
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0], // in the past: no wait
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
  test('absent header', () => expect(parseRetryAfter(null)).toBeUndefined());
});

describe('rate limits and server errors', () => {
  test('429 bursts with Retry-After (seconds) are honoured, the gate is paused, the walk completes', async () => {
    const server = await start({ customers: 260, rateLimit: { every: 3, retryAfterSeconds: 1 } });
    const gate = new MemoryRateBudget();
    const startedAt = Date.now();
    const { ids } = await collect(
      wooAdapter(server, { rateBudget: gate, pageConcurrency: 1 }).pages(
        pageRequest('customer', { pageSize: 100 }),
      ),
    );
    expect(ids).toEqual(server.store.ids('customer'));
    const limited = server.requests.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(gate.pauses).toEqual(limited.map(() => 1000));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(limited.length * 1000 - 50);
  });

  test('503 with an HTTP-date Retry-After is rate limiting too', async () => {
    const server = await start({
      customers: 120,
      rateLimit: { every: 2, retryAfterSeconds: 1, retryAfterForm: 'http-date', status: 503 },
      htmlErrors: true,
    });
    const gate = new MemoryRateBudget();
    const { ids } = await collect(
      wooAdapter(server, { rateBudget: gate, pageConcurrency: 1 }).pages(
        pageRequest('customer', { pageSize: 100 }),
      ),
    );
    expect(ids).toEqual(server.store.ids('customer'));
    expect(gate.pauses.length).toBe(server.requests.filter((r) => r.status === 503).length);
    expect(gate.pauses.every((ms) => ms >= 0 && ms <= 1000)).toBe(true);
  });

  test('a Retry-After too long to wait in place goes to the job as rate_limited', async () => {
    const server = await start({ customers: 10, rateLimit: { every: 1, retryAfterSeconds: 3600 } });
    const gate = new MemoryRateBudget();
    const err = await rejection(
      wooAdapter(server, { rateBudget: gate }).count({ entity: 'customer', mode: 'full', since: null }),
    );
    expect(err).toMatchObject({
      code: ErrorCodes.SOURCE_RATE_LIMITED,
      retry: 'rate_limited',
      retryAfterMs: 3_600_000,
    });
    expect(gate.pauses).toEqual([3_600_000]);
    expect(server.requestCount).toBe(1);
  });

  test('10% of requests answered 500 (JSON and HTML bodies): the walk completes', async () => {
    const server = await start({ customers: 1050, failureRate: 0.1, seed: 7 });
    const { ids } = await collect(wooAdapter(server).pages(pageRequest('customer', { pageSize: 100 })));
    expect(ids).toEqual(server.store.ids('customer'));
    expect(server.requests.filter((r) => r.trouble === 'failure').length).toBeGreaterThan(0);
  });

  test('an HTML error page does not crash: typed error with a short excerpt', async () => {
    const server = await start({ customers: 10, failureRate: 1, htmlErrors: true });
    const err = await rejection(
      wooAdapter(server, { requestRetries: 2 }).count({ entity: 'customer', mode: 'full', since: null }),
    );
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_UNAVAILABLE, retry: 'retryable' });
    expect(err.message).toContain('500 Internal Server Error');
    expect(err.message).not.toContain('<html');
    expect(err.details).toMatchObject({ status: 500, contentType: expect.stringContaining('text/html') });
    expect(server.requestCount).toBe(3); // 1 + 2 in-place retries
  });

  test('a 200 answer that is not JSON is SOURCE_BAD_RESPONSE, not a parse crash', async () => {
    const server = await start({ customers: 10 });
    server.options.inject = () => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Hello</body></html>',
    });
    const err = await rejection(
      wooAdapter(server, { requestRetries: 1 }).count({ entity: 'customer', mode: 'full', since: null }),
    );
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_BAD_RESPONSE, retry: 'retryable' });
    expect(err.message).toContain('expected JSON');
  });

  test('a wrong base URL (WordPress 404 page) is fatal SOURCE_NOT_FOUND', async () => {
    const server = await start({ customers: 10 });
    const adapter = wooAdapter(server, { baseUrl: `${server.url}/shop` });
    const err = await rejection(adapter.count({ entity: 'customer', mode: 'full', since: null }));
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_NOT_FOUND, retry: 'fatal' });
    expect(server.requestCount).toBe(1);
  });

  test('rest_invalid_param (400) is fatal with the woo code in details', async () => {
    const server = await start({ customers: 10 });
    server.options.inject = () => ({
      status: 400,
      body: {
        code: 'rest_invalid_param',
        message: 'Invalid parameter(s): orderby',
        data: { status: 400, params: { orderby: 'bad' } },
      },
    });
    const err = await rejection(wooAdapter(server).count({ entity: 'customer', mode: 'full', since: null }));
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_BAD_REQUEST, retry: 'fatal' });
    expect(err.details).toMatchObject({ wooCode: 'rest_invalid_param', params: { orderby: 'bad' } });
  });
});

describe('network, timeouts, cancellation, secrets', () => {
  test('a timeout is retried, then SOURCE_NETWORK retryable', async () => {
    const server = await start({ customers: 10, latencyMs: 400 });
    const adapter = wooAdapter(server, { httpTimeoutMs: 50, requestRetries: 1 });
    const err = await rejection(adapter.count({ entity: 'customer', mode: 'full', since: null }));
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_NETWORK, retry: 'retryable' });
    expect(err.message).toContain('no answer within 50 ms');
    expect(server.requestCount).toBe(2);
  });

  test('a refused connection is SOURCE_NETWORK, and no secret is in the error (query-string keys)', async () => {
    const port = await freePort();
    const secret = 'cs_1234567890abcdef1234567890abcdef12345678';
    const key = 'ck_1234567890abcdef1234567890abcdef12345678';
    const client = new SourceHttpClient({
      source: 'WooCommerce',
      requestRetries: 1,
      retryBaseMs: 1,
      secrets: [key, secret],
      dispatcher: loopbackEgress.dispatcher,
    });
    const url = `http://127.0.0.1:${port}/wp-json/wc/v3/customers?consumer_key=${key}&consumer_secret=${secret}`;
    const err = await rejection(client.requestJson(() => ({ url })));
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_NETWORK, retry: 'retryable' });
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('consumer_secret=[redacted]');
    for (const text of [err.message, JSON.stringify(err)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(key);
    }
  });

  test('secrets echoed in an error page are redacted (query mode)', async () => {
    const server = await start({ customers: 10 });
    server.options.inject = (_n, request) => ({
      status: 403,
      headers: { 'content-type': 'text/html' },
      body: `<h1>Forbidden</h1><p>blocked request with key ${request.query.consumer_key} and ${request.query.consumer_secret}</p>`,
    });
    const err = await rejection(
      wooAdapter(server, { settings: { authMode: 'query' } }).count({
        entity: 'customer',
        mode: 'full',
        since: null,
      }),
    );
    expect(err).toMatchObject({ code: ErrorCodes.SOURCE_FORBIDDEN, retry: 'fatal' });
    for (const text of [err.message, JSON.stringify(err)]) {
      expect(text).not.toContain(server.consumerSecret);
      expect(text).not.toContain(server.consumerKey);
    }
    expect(err.message).toContain('Forbidden');
  });

  test('redactUrl hides credential parameters and user-info', () => {
    expect(redactUrl('https://u:p@shop.test/x?a=1&oauth_signature=abc&consumer_key=ck_x&b=2')).toBe(
      'https://[redacted]@shop.test/x?a=1&oauth_signature=[redacted]&consumer_key=[redacted]&b=2',
    );
  });

  test('the caller aborting a walk rethrows its reason; classifyError makes it a cancel', async () => {
    const server = await start({ customers: 500, latencyMs: 20 });
    const adapter = wooAdapter(server, { pageConcurrency: 2 });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    let pages = 0;
    const err = await rejection(
      (async () => {
        for await (const _page of adapter.pages(
          pageRequest('customer', { pageSize: 50, signal: controller.signal }),
        )) {
          if (++pages === 2) controller.abort(reason);
        }
      })(),
    );
    expect(err).toBe(reason);
    const domAbort = new DOMException('aborted', 'AbortError');
    expect(adapter.classifyError(domAbort)).toMatchObject({ code: ErrorCodes.SYNC_CANCELLED });
    expect(adapter.classifyError(new TypeError('fetch failed'))).toMatchObject({
      code: ErrorCodes.SOURCE_NETWORK,
      retry: 'retryable',
    });
    // One classifier (src/errors.ts): an unknown value is retryable, at job level and here alike.
    expect(adapter.classifyError('weird')).toMatchObject({ code: ErrorCodes.INTERNAL, retry: 'retryable' });
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
