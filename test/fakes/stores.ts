import type { FakeStoreFactory } from './fake-store.js';
import { odooFakeStore } from './odoo/control.js';
import { shopifyFakeStore } from './shopify/control.js';
import { wooCommerceFakeStore } from './woocommerce/control.js';

/** Every fake store the shared suites run against: one line per source. */
export const fakeStores: readonly FakeStoreFactory[] = [
  wooCommerceFakeStore,
  odooFakeStore(),
  shopifyFakeStore,
];
