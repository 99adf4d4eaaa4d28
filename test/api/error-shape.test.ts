import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHarness, type ApiHarness, type Org } from './harness.js';

// Every error response of the server: {"error":{"code","message"}} with a stable code.

let h: ApiHarness;
let org: Org;
let port: number;
beforeAll(async () => {
  h = await createApiHarness('api_error_shape');
  org = await h.newOrg();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  port = (h.app.server.address() as { port: number }).port;
});
afterAll(async () => h?.close());

function expectShape(res: { statusCode: number; json(): unknown }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(
    Object.keys(body.error)
      .filter((k) => k !== 'details')
      .sort(),
  ).toEqual(['code', 'message']);
  return body.error as { code: string; message: string };
}

/** Sends raw bytes to the listening server (loopback) and reads the whole answer. */
function raw(request: string): Promise<{ statusCode: number; headers: string; json(): unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ statusCode: Number(head.split(' ')[1]), headers: head, json: () => JSON.parse(body) });
    });
    socket.end(request);
  });
}

describe('one error shape for every response', () => {
  test('404 for an unknown route, without repeating the query', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here?token=s3cr3t' });
    const error = expectShape(res, 404, 'NOT_FOUND');
    expect(error.message).toBe('no route GET /api/v1/nothing-here');
  });

  test('405 for a known path with another method, with Allow', async () => {
    const res = await h.as(org.userId, { method: 'DELETE', url: '/api/v1/connections' });
    expectShape(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    const cancel = await h.app.inject({ method: 'GET', url: '/api/v1/syncs/sync-1/cancel' });
    expectShape(cancel, 405, 'METHOD_NOT_ALLOWED');
    expect(cancel.headers.allow).toBe('POST');
  });

  test('413 for a body over 1 MiB', async () => {
    const res = await h.as(org.userId, {
      method: 'POST',
      url: '/api/v1/syncs',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
    });
    expectShape(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  test('414 for an over-long path parameter', async () => {
    const res = await h.as(org.userId, { method: 'GET', url: `/api/v1/syncs/${'s'.repeat(300)}` });
    const error = expectShape(res, 414, 'URI_TOO_LONG');
    expect(error.message).not.toContain('sss');
  });

  test('415 for a body that is not JSON', async () => {
    const res = await h.as(org.userId, {
      method: 'POST',
      url: '/api/v1/syncs',
      headers: { 'content-type': 'text/plain' },
      payload: 'connectionId=1',
    });
    expectShape(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('400 for unreadable JSON, without quoting it back', async () => {
    const res = await h.as(org.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      headers: { 'content-type': 'application/json' },
      payload: '{"credentials":{"secret":"cs_quoted_back_9f2"',
    });
    const error = expectShape(res, 400, 'VALIDATION_FAILED');
    expect(res.body).not.toContain('cs_quoted_back_9f2');
    expect(error.message).toBe('invalid request: body is not valid JSON');
  });

  test('400 for a malformed URL', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/syncs/%E0%A4%A' });
    expectShape(res, 400, 'BAD_REQUEST');
  });

  test('431 from the HTTP parser (headers over 16 KiB), before Fastify sees the request', async () => {
    const res = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectShape(res, 431, 'HEADERS_TOO_LARGE');
    expect(res.headers).toMatch(/content-type: application\/json/i);
  });

  test('431 for an over-long request line too', async () => {
    const res = await raw(`GET /api/v1/syncs/${'s'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expectShape(res, 431, 'HEADERS_TOO_LARGE');
  });

  test('400 from the HTTP parser for a malformed request', async () => {
    const res = await raw('NOT HTTP AT ALL\r\n\r\n');
    expectShape(res, 400, 'BAD_REQUEST');
  });

  test('401 from the auth hook and the Bull Board', async () => {
    expectShape(await h.app.inject({ method: 'GET', url: '/api/v1/syncs' }), 401, 'UNAUTHORIZED');
    expectShape(await h.app.inject({ method: 'GET', url: '/admin/queues' }), 401, 'UNAUTHORIZED');
  });
});

describe('unknown fields are refused on every route', () => {
  test.each([
    ['GET', '/api/v1/connections?verbose=1', undefined, 'query.verbose'],
    ['GET', '/api/v1/syncs?active=true&sort=desc', undefined, 'query.sort'],
    ['GET', '/api/v1/syncs/sync-1?x=1', undefined, 'query.x'],
    ['GET', '/api/v1/activity?level=debug', undefined, 'query.level'],
    ['GET', `/api/v1/previews/${'a'.repeat(64)}?fresh=1`, undefined, 'query.fresh'],
    ['POST', '/api/v1/syncs/sync-1/cancel', { force: true }, 'body.force'],
    [
      'POST',
      '/api/v1/syncs',
      { connectionId: '00000000-0000-4000-8000-000000000000', entityType: 'customer', priority: 1 },
      'body.priority',
    ],
  ] as const)('%s %s', async (method, url, payload, field) => {
    const res = await h.as(org.userId, { method, url, ...(payload ? { payload } : {}) });
    const error = expectShape(res, 400, 'VALIDATION_FAILED');
    expect(error).toMatchObject({ details: { issues: [`${field}: is not a known field`] } });
  });
});
