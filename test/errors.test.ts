import { describe, expect, test } from 'vitest';
import { WooCommerceAdapter } from '../src/adapters/woocommerce/adapter.js';
import {
  classify,
  ErrorCodes,
  failureKindOfStatus,
  LostOwnershipError,
  sourceError,
  sourceErrorFromStatus,
  SyncInterruptedError,
  type SourceFailureKind,
} from '../src/errors.js';

describe('one classifier', () => {
  const adapter = new WooCommerceAdapter({
    connectionId: 'c',
    baseUrl: 'http://127.0.0.1:1',
    credentials: { key: 'ck_abc', secret: 'cs_def' },
    settings: {},
  });
  const network = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
  const values: [string, unknown][] = [
    ['a network failure', network],
    ['a bare fetch failure', new TypeError('fetch failed')],
    ['a timeout', new DOMException('timed out', 'TimeoutError')],
    ['an abort', new DOMException('aborted', 'AbortError')],
    ['an unreadable body', new SyntaxError('Unexpected token <')],
    ['a bug', new TypeError('x is not a function')],
    ['a database error', Object.assign(new Error('could not serialize access'), { code: 'P2034' })],
    ['a thrown string', 'weird'],
    ['a typed error', sourceError({ kind: 'forbidden', message: 'no' })],
  ];

  test.each(values)('%s: the job and the adapter give the same code and retry class', (_what, value) => {
    const atJob = classify(value);
    const atAdapter = adapter.classifyError(value);
    expect({ code: atAdapter.code, retry: atAdapter.retry }).toEqual({
      code: atJob.code,
      retry: atJob.retry,
    });
  });

  test('unknown values are retryable; network and unreadable bodies too; an abort is a cancel', () => {
    expect(classify('weird')).toMatchObject({ code: ErrorCodes.INTERNAL, retry: 'retryable' });
    expect(classify(new TypeError('x is not a function'))).toMatchObject({ code: ErrorCodes.INTERNAL });
    expect(classify(network)).toMatchObject({
      code: ErrorCodes.SOURCE_NETWORK,
      retry: 'retryable',
      details: { networkCode: 'ECONNRESET' },
    });
    expect(classify(new SyntaxError('bad'))).toMatchObject({
      code: ErrorCodes.SOURCE_BAD_RESPONSE,
      retry: 'retryable',
    });
    expect(classify(new DOMException('aborted', 'AbortError'))).toMatchObject({
      code: ErrorCodes.SYNC_CANCELLED,
      retry: 'fatal',
    });
  });

  test('the adapter words and redacts, never reclassifies', () => {
    const err = adapter.classifyError(new Error('boom with cs_def in it'));
    expect(err.message).toMatch(/^WooCommerce: boom/);
    expect(err.message).not.toContain('cs_def');
  });
});

describe('one factory of source failures, whatever the transport', () => {
  test.each([
    ['auth', ErrorCodes.SOURCE_AUTH_FAILED, 'fatal'],
    ['forbidden', ErrorCodes.SOURCE_FORBIDDEN, 'fatal'],
    ['not_found', ErrorCodes.SOURCE_NOT_FOUND, 'fatal'],
    ['bad_request', ErrorCodes.SOURCE_BAD_REQUEST, 'fatal'],
    ['rate_limited', ErrorCodes.SOURCE_RATE_LIMITED, 'rate_limited'],
    ['unavailable', ErrorCodes.SOURCE_UNAVAILABLE, 'retryable'],
    ['network', ErrorCodes.SOURCE_NETWORK, 'retryable'],
    ['bad_response', ErrorCodes.SOURCE_BAD_RESPONSE, 'retryable'],
    ['incompatible', ErrorCodes.SOURCE_BAD_RESPONSE, 'fatal'],
  ] as [SourceFailureKind, string, string][])('%s → %s, %s', (kind, code, retry) => {
    expect(sourceError({ kind, message: 'm', status: 200, retryAfterMs: 5 })).toMatchObject({
      code,
      retry,
      details: { status: 200 },
      retryAfterMs: kind === 'rate_limited' ? 5 : undefined,
    });
  });

  test('HTTP statuses map to the same kinds', () => {
    expect([401, 402, 403, 404, 410, 429, 400, 408, 500, 502].map((s) => failureKindOfStatus(s))).toEqual([
      'auth',
      'forbidden',
      'forbidden',
      'not_found',
      'not_found',
      'rate_limited',
      'bad_request',
      'unavailable',
      'unavailable',
      'unavailable',
    ]);
    expect(failureKindOfStatus(503)).toBe('unavailable');
    expect(failureKindOfStatus(503, 1000)).toBe('rate_limited');
    expect(sourceErrorFromStatus(429, 'slow down', { retryAfterMs: 2000 })).toMatchObject({
      code: ErrorCodes.SOURCE_RATE_LIMITED,
      retryAfterMs: 2000,
      details: { status: 429 },
    });
  });

  test('the engine stops have stable codes', () => {
    expect(new SyncInterruptedError('s1')).toMatchObject({
      code: ErrorCodes.SYNC_INTERRUPTED,
      retry: 'retryable',
    });
    expect(new LostOwnershipError('s1')).toMatchObject({ code: ErrorCodes.SYNC_LOST_OWNERSHIP });
    expect(ErrorCodes.SYNC_STALLED).toBe('SYNC_STALLED');
  });
});
