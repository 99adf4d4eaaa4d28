import type { Dispatcher } from 'undici';
import { createEgressDispatcher } from './egress-dispatcher.js';
import { EgressPolicy, type LookupAll } from './egress-policy.js';
import { parseEgressAllow } from './allow-list.js';

/** The egress policy of a process and the dispatcher that enforces it on every source request. */
export interface Egress {
  readonly policy: EgressPolicy;
  /** Pass as `dispatcher` to every request to a source (SourceHttpClient does). */
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** The policy of SYNC_EGRESS_ALLOW (with the system resolver unless given one). */
export function egressPolicy(allow: string | undefined, lookup?: LookupAll): EgressPolicy {
  return new EgressPolicy(parseEgressAllow(allow), lookup);
}

/** An egress from SYNC_EGRESS_ALLOW (and, for tests, a resolver of their own). */
export function createEgress(allow: string | undefined, lookup?: LookupAll): Egress {
  const policy = egressPolicy(allow, lookup);
  const dispatcher = createEgressDispatcher(policy);
  return { policy, dispatcher, close: () => dispatcher.close() };
}

let fallback: Egress | undefined;

/**
 * The dispatcher of a client given none: the policy with nothing allowed
 * (created on first use, one per process), so a source request never
 * bypasses the egress checks by omission.
 */
export function defaultEgressDispatcher(): Dispatcher {
  fallback ??= createEgress(undefined);
  return fallback.dispatcher;
}
