/**
 * Keeps credentials out of error messages and logs. Every URL or response
 * excerpt that goes into a SourceError passes through here first.
 */

import { safeExcerpt } from '../../safe-text.js';

const REDACTED = '[redacted]';

/** Query parameters that carry credentials in one source API or another. */
const SECRET_PARAM =
  /^(consumer_key|consumer_secret|oauth_.+|access_token|api_key|apikey|token|password|secret|signature|key)$/i;

/** Patterns that look like credentials wherever they appear in text. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(ck|cs)_[A-Za-z0-9]{8,}\b/g, // WooCommerce consumer key / secret
  /\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}/g, // Authorization header values
  /\bshp(at|ca|pa|ss)_[A-Za-z0-9]{8,}\b/g, // Shopify access tokens
];

/**
 * The URL with credential query parameters and user-info replaced by
 * `[redacted]`. Non-URL input is redacted as text.
 */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url, secrets);
  }
  const query = [...parsed.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${SECRET_PARAM.test(k) ? REDACTED : encodeURIComponent(v)}`)
    .join('&');
  const auth = parsed.username || parsed.password ? `${REDACTED}@` : '';
  const text = `${parsed.protocol}//${auth}${parsed.host}${parsed.pathname}${query ? `?${query}` : ''}`;
  return redactText(text, secrets);
}

/** The text with every known secret value and credential-looking token replaced. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/**
 * A short excerpt of a response body (tags stripped) for error messages:
 * redacted first (`secrets` and credential-looking tokens, so a cut never
 * leaves half a secret), then one line without control, bidi or zero-width
 * characters, at most `max` characters.
 */
export function bodyExcerpt(body: string, max = 120, secrets: readonly string[] = []): string {
  const text = body.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
  return safeExcerpt(redactText(text, secrets), max);
}
