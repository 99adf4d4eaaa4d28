import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server-side OAuth 1.0a check, written the way WooCommerce's
 * `WC_REST_Authentication::check_oauth_signature` does it (independently of
 * the adapter's signer): parameters sorted by name, each name and value
 * `rawurlencode`d and then `%` → `%25` (double encoding), joined with `%3D`
 * and `%26`; key = consumer secret + '&'; HMAC-SHA1 or HMAC-SHA256; then the
 * timestamp (±15 min) and nonce (single use) checks.
 */

export type OAuthResult = { ok: true } | { ok: false; message: string };

/** PHP's rawurlencode: everything but ALPHA / DIGIT / - _ . ~ is %XX. */
function rawurlencode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function normalize(value: string): string {
  return rawurlencode(value).replace(/%/g, '%25');
}

export interface OAuthCheck {
  method: string;
  /** Scheme, host and path as the client addressed them, no query. */
  baseUri: string;
  /** Decoded query parameters, oauth_signature included. */
  params: Map<string, string>;
  consumerKey: string;
  consumerSecret: string;
  usedNonces: Set<string>;
  nowSeconds: number;
}

export function checkOAuth(check: OAuthCheck): OAuthResult {
  const params = new Map(check.params);
  for (const name of [
    'oauth_consumer_key',
    'oauth_timestamp',
    'oauth_nonce',
    'oauth_signature',
    'oauth_signature_method',
  ]) {
    if (!params.get(name)) return { ok: false, message: `Missing OAuth parameter ${name}` };
  }
  if (params.get('oauth_consumer_key') !== check.consumerKey)
    return { ok: false, message: 'Consumer key is invalid.' };
  const method = params.get('oauth_signature_method')!;
  if (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256') {
    return { ok: false, message: 'Invalid signature - signature method is invalid.' };
  }
  const provided = params.get('oauth_signature')!.replace(/ /g, '+');
  params.delete('oauth_signature');
  const query = [...params.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${normalize(key)}%3D${normalize(params.get(key)!)}`)
    .join('%26');
  const stringToSign = `${check.method.toUpperCase()}&${rawurlencode(check.baseUri)}&${query}`;
  const algorithm = method === 'HMAC-SHA256' ? 'sha256' : 'sha1';
  const expected = createHmac(algorithm, `${check.consumerSecret}&`).update(stringToSign).digest('base64');
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return { ok: false, message: 'Invalid signature - provided signature does not match.' };
  }
  const timestamp = Number(params.get('oauth_timestamp'));
  if (!Number.isFinite(timestamp) || Math.abs(check.nowSeconds - timestamp) > 15 * 60) {
    return { ok: false, message: 'Invalid timestamp.' };
  }
  const nonce = `${check.consumerKey}:${params.get('oauth_nonce')}`;
  if (check.usedNonces.has(nonce))
    return { ok: false, message: 'Invalid nonce - nonce has already been used.' };
  check.usedNonces.add(nonce);
  return { ok: true };
}
