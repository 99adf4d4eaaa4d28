import { afterEach } from 'vitest';
import { OdooAdapter } from '../../src/adapters/odoo/adapter.js';
import type { AdapterContext } from '../../src/adapters/types.js';
import { startFakeOdoo, type FakeOdooOptions, type FakeOdooServer } from '../fakes/odoo/server.js';
import { loopbackEgress } from '../helpers/egress.js';

export const PROTOCOLS = ['jsonrpc', 'json2'] as const;
export type OdooProtocol = (typeof PROTOCOLS)[number];

/** An adapter bound to the fake over `protocol`, fast retries by default. */
export function odooAdapter(
  fake: FakeOdooServer,
  options: { protocol?: OdooProtocol; settings?: Record<string, unknown> } & Partial<
    Omit<AdapterContext, 'settings'>
  > = {},
): OdooAdapter {
  const { protocol = 'jsonrpc', settings = {}, ...rest } = options;
  return new OdooAdapter({
    connectionId: 'test-connection',
    ...fake.connection({ protocol, ...settings }),
    dispatcher: loopbackEgress.dispatcher,
    retryBaseMs: 1,
    requestRetries: 6,
    ...rest,
  });
}

/**
 * A fake Odoo per test, closed after each: `const start = useFakeOdoo();` at
 * file level, then `const fake = await start({ customers: 10 });`.
 */
export function useFakeOdoo(
  defaults: FakeOdooOptions = {},
): (options?: FakeOdooOptions) => Promise<FakeOdooServer> {
  let fake: FakeOdooServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  return async (options = {}) => {
    fake = await startFakeOdoo({ ...defaults, ...options });
    return fake;
  };
}

/** Model calls the fake answered (authentication and fields_get left out). */
export function dataCalls(fake: FakeOdooServer, method?: string) {
  return fake.requests.filter(
    (r) =>
      r.model !== undefined && r.method !== 'fields_get' && (method === undefined || r.method === method),
  );
}
