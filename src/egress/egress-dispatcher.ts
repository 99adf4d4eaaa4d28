import type { Agent } from 'undici';
import type { EgressPolicy } from './egress-policy.js';
import { undici } from './undici.js';

export interface EgressDispatcherOptions {
  /** TCP (and TLS) connect timeout. @defaultValue 10000 */
  connectTimeoutMs?: number;
}

/**
 * An undici dispatcher whose every connection passes the egress policy at
 * connect time: an IP-literal host is checked as is (net.connect skips the
 * resolver for literals), a name is resolved by the policy and each address
 * checked before the socket opens to one of them, so DNS rebinding and
 * numeric spellings do not pass. Use it as `dispatcher` of every source
 * request (SourceHttpClient does).
 */
export function createEgressDispatcher(policy: EgressPolicy, options: EgressDispatcherOptions = {}): Agent {
  const { Agent, buildConnector } = undici();
  const connector = buildConnector({
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: policy.netLookup,
  });
  return new Agent({
    connect(connectOptions, callback) {
      const refusal = policy.refuseLiteral(connectOptions.hostname);
      if (refusal) {
        callback(refusal, null);
        return;
      }
      connector(connectOptions, callback);
    },
  });
}
