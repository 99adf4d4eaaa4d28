import { createHmac, randomBytes } from 'node:crypto';
import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import type { PreparedRequest } from '../http/source-http.js';
import { wooSettingsSchema } from './settings.js';

/**
 * WooCommerce REST authentication, three ways:
 * - `basic`: HTTP Basic with consumer key/secret (HTTPS only in a real store).
 * - `oauth1`: OAuth 1.0a one-legged, HMAC-SHA1 or HMAC-SHA256, parameters in
 *   the query string (what WooCommerce reads over plain HTTP); keys never sent in clear.
 * - `query`: `consumer_key`/`consumer_secret` in the query string, for hosts
 *   that strip the Authorization header (HTTPS only in a real store).
 * Default: `basic` for https, `oauth1` for http.
 */
export type WooAuthMode = 'basic' | 'oauth1' | 'query';
export type OAuthSignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';

export interface WooAuth {
  mode: WooAuthMode;
  signatureMethod: OAuthSignatureMethod;
  consumerKey: string;
  consumerSecret: string;
}

/** One query parameter; order is kept for the URL, sorted only for the signature. */
export type QueryPair = readonly [string, string];

/** Reads the connection's credentials and settings; a missing key or a bad setting fails at once. */
export function resolveAuth(
  baseUrl: string,
  credentials: Record<string, string>,
  settings: Record<string, unknown>,
): WooAuth {
  const consumerKey = credentials.consumerKey ?? credentials.consumer_key ?? credentials.key;
  const consumerSecret = credentials.consumerSecret ?? credentials.consumer_secret ?? credentials.secret;
  if (!consumerKey || !consumerSecret) {
    throw new SyncWorkerError(
      ErrorCodes.VALIDATION_FAILED,
      'a WooCommerce connection needs credentials "consumerKey" (ck_…) and "consumerSecret" (cs_…)',
    );
  }
  const parsed = wooSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new SyncWorkerError(
      ErrorCodes.VALIDATION_FAILED,
      `invalid WooCommerce settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const https = baseUrl.toLowerCase().startsWith('https:');
  return {
    mode: parsed.data.authMode ?? (https ? 'basic' : 'oauth1'),
    signatureMethod: parsed.data.oauthSignatureMethod ?? 'HMAC-SHA1',
    consumerKey,
    consumerSecret,
  };
}

/** Percent-encoding of RFC 3986 §2.1 as OAuth 1.0a requires (only ALPHA DIGIT - . _ ~ unreserved). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `k=v&…`, each side percent-encoded, in the given order. */
export function encodeQuery(params: readonly QueryPair[]): string {
  return params.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/**
 * The OAuth 1.0a signature base string (RFC 5849 §3.4.1): METHOD & enc(base
 * URI without query) & enc(normalized parameters), the parameters encoded,
 * sorted by name then value, joined with `=` and `&`.
 */
export function oauthBaseString(method: string, url: string, params: readonly QueryPair[]): string {
  const u = new URL(url);
  const baseUri = `${u.protocol}//${u.host}${u.pathname}`; // URL lower-cases scheme and host, drops default ports
  const normalized = params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode(baseUri)}&${percentEncode(normalized)}`;
}

/** base64(HMAC(enc(consumer secret) & "", base string)); one-legged, so no token secret. */
export function oauthSignature(
  baseString: string,
  consumerSecret: string,
  method: OAuthSignatureMethod,
): string {
  const algorithm = method === 'HMAC-SHA256' ? 'sha256' : 'sha1';
  return createHmac(algorithm, `${percentEncode(consumerSecret)}&`)
    .update(baseString)
    .digest('base64');
}

export interface SignOptions {
  /** Seconds since the epoch. @defaultValue now */
  timestamp?: number;
  nonce?: string;
}

/**
 * The request for `url` (no query) with `query`, authenticated per `auth`.
 * Call once per attempt: OAuth nonces must not repeat.
 */
export function authenticate(
  auth: WooAuth,
  method: 'GET' | 'POST',
  url: string,
  query: readonly QueryPair[],
  options: SignOptions = {},
): PreparedRequest {
  const withQuery = (params: readonly QueryPair[]) => (params.length ? `${url}?${encodeQuery(params)}` : url);
  if (auth.mode === 'basic') {
    const token = Buffer.from(`${auth.consumerKey}:${auth.consumerSecret}`).toString('base64');
    return { method, url: withQuery(query), headers: { authorization: `Basic ${token}` } };
  }
  if (auth.mode === 'query') {
    return {
      method,
      url: withQuery([
        ...query,
        ['consumer_key', auth.consumerKey],
        ['consumer_secret', auth.consumerSecret],
      ]),
    };
  }
  const oauth: QueryPair[] = [
    ['oauth_consumer_key', auth.consumerKey],
    ['oauth_nonce', options.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', auth.signatureMethod],
    ['oauth_timestamp', String(options.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_version', '1.0'],
  ];
  const params = [...query, ...oauth];
  const signature = oauthSignature(
    oauthBaseString(method, url, params),
    auth.consumerSecret,
    auth.signatureMethod,
  );
  return { method, url: withQuery([...params, ['oauth_signature', signature]]) };
}
