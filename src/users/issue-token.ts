import { SignJWT } from 'jose';
import type { Config } from '../config.js';

/** Lifetime of a token when none is asked for. @defaultValue 1 hour */
export const DEFAULT_TOKEN_TTL_MS = 3_600_000;

/**
 * The longest lifetime `sync-worker token` may issue: the API's own maximum
 * (SYNC_JWT_MAX_TTL), so every token it issues is one the API accepts.
 */
export function maxTokenTtlMs(config: Pick<Config, 'SYNC_JWT_MAX_TTL'>): number {
  return config.SYNC_JWT_MAX_TTL;
}

/** The `iss` and `aud` the API checks when they are configured (the first audience). */
export function tokenClaimsFrom(config: Pick<Config, 'SYNC_JWT_ISSUER' | 'SYNC_JWT_AUDIENCE'>): {
  issuer?: string;
  audience?: string;
} {
  const audience = config.SYNC_JWT_AUDIENCE?.[0];
  return {
    ...(config.SYNC_JWT_ISSUER ? { issuer: config.SYNC_JWT_ISSUER } : {}),
    ...(audience ? { audience } : {}),
  };
}

export interface IssuedToken {
  token: string;
  /** ISO time of `exp`. */
  expiresAt: string;
}

/**
 * An API bearer token for `userId`: HS256 with SYNC_JWT_SECRET, `sub` = the
 * user, `iat` now and `exp` always set (`ttlMs` ahead, whole seconds).
 */
export async function issueToken(
  secret: string,
  userId: string,
  ttlMs: number,
  options: { now?: number; issuer?: string; audience?: string } = {},
): Promise<IssuedToken> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const exp = iat + Math.max(1, Math.floor(ttlMs / 1000));
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId);
  jwt = jwt.setIssuedAt(iat).setExpirationTime(exp);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  const token = await jwt.sign(new TextEncoder().encode(secret));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}
