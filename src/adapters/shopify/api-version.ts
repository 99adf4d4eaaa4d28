/**
 * The Shopify Admin API version a connection talks to when its settings name
 * none (`settings.apiVersion` overrides it per connection).
 *
 * 2026-10: on 2026-12-01 the newest stable version. Shopify supports each
 * stable version for at least 12 months, so it stays supported until at least
 * 2027-10, the longest window of the versions supported today. Every query the
 * adapter sends is validated against this version's schema in the tests
 * (`test/fixtures/shopify/admin_2026-10.json.gz`) and only uses fields that
 * 2025-10 … 2026-10 all have.
 */
export const DEFAULT_SHOPIFY_API_VERSION = '2026-10';

/** `2026-10` or `unstable`. */
export const API_VERSION_PATTERN = /^(\d{4}-(01|04|07|10)|unstable)$/;
