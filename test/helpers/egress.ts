import { createEgress } from '../../src/egress/egress.js';

/**
 * The fakes listen on 127.0.0.1, which the egress policy refuses unless an
 * operator allows it: every harness sets SYNC_EGRESS_ALLOW to this.
 */
export const LOOPBACK_ALLOW = '127.0.0.1/32';

/** A dispatcher under that allow list, for adapters and clients built directly in a test. */
export const loopbackEgress = createEgress(LOOPBACK_ALLOW);
