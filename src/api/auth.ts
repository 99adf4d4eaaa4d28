import type { FastifyRequest } from 'fastify';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { Config } from '../config.js';
import { requireConfig } from '../config.js';
import { ErrorCodes, SyncWorkerError } from '../errors.js';

/**
 * Bearer JWT (HS256, SYNC_JWT_SECRET): `sub` is the user's uuid, `exp` is
 * required and the lifetime capped (SYNC_JWT_MAX_TTL), `nbf` honoured, `iss`
 * and `aud` checked when configured; a small clock skew is tolerated on every
 * time claim. The token never reaches a log or an error message.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user's id (`sub`); set by the /api/v1 auth hook. */
    userId: string;
  }
}

/** What a bearer token must satisfy. */
export interface TokenPolicy {
  /** The HS256 secret (SYNC_JWT_SECRET). */
  secret: string;
  /** Longest accepted lifetime, `exp` − `iat` (or − now without `iat`). @defaultValue 86400 (24 h) */
  maxTtlSeconds: number;
  /** Skew tolerated on `exp`, `nbf` and `iat`. @defaultValue 30 */
  clockToleranceSeconds: number;
  /** The `iss` a token must carry, when set. */
  issuer?: string | undefined;
  /** Audiences a token's `aud` must include one of, when set. */
  audience?: readonly string[] | undefined;
}

export function tokenPolicyFrom(config: Config): TokenPolicy {
  return {
    secret: requireConfig(config, 'SYNC_JWT_SECRET', 'to verify API bearer tokens'),
    maxTtlSeconds: Math.floor(config.SYNC_JWT_MAX_TTL / 1000),
    clockToleranceSeconds: Math.floor(config.SYNC_JWT_CLOCK_SKEW / 1000),
    issuer: config.SYNC_JWT_ISSUER,
    audience: config.SYNC_JWT_AUDIENCE,
  };
}

export function unauthorized(message: string): SyncWorkerError {
  return new SyncWorkerError(ErrorCodes.UNAUTHORIZED, message);
}

const uuid = z.uuid();

export type Authenticate = (authorization: string | undefined) => Promise<string>;

/** Returns the user id of a valid `Authorization: Bearer <JWT>` header; UNAUTHORIZED otherwise. */
export function createAuthenticator(policy: TokenPolicy): Authenticate {
  const key = new TextEncoder().encode(policy.secret);
  const tolerance = policy.clockToleranceSeconds;
  return async (authorization) => {
    if (!authorization) throw unauthorized('missing bearer token: send Authorization: Bearer <JWT>');
    const match = /^Bearer +([A-Za-z0-9_.-]+)$/i.exec(authorization.trim());
    if (!match) throw unauthorized('malformed Authorization header: expected Bearer <JWT>');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, key, {
        algorithms: ['HS256'],
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
        ...(policy.issuer ? { issuer: policy.issuer } : {}),
        ...(policy.audience?.length ? { audience: [...policy.audience] } : {}),
      }));
    } catch (err) {
      throw unauthorized(rejection(err));
    }
    checkLifetime(payload, policy);
    const { sub } = payload;
    if (typeof sub !== 'string' || !uuid.safeParse(sub).success) {
      throw unauthorized('invalid token: sub must be the user id (a uuid)');
    }
    return sub.toLowerCase();
  };
}

/** `exp` − `iat` (or − now) within the maximum; `iat` not in the future. */
function checkLifetime(payload: JWTPayload, policy: TokenPolicy): void {
  const now = Math.floor(Date.now() / 1000);
  const { exp, iat } = payload as { exp: number; iat?: number };
  if (iat !== undefined && iat > now + policy.clockToleranceSeconds) {
    throw unauthorized('invalid token: issued in the future (iat)');
  }
  const start = Math.min(iat ?? now, now);
  if (exp - start > policy.maxTtlSeconds + policy.clockToleranceSeconds) {
    throw unauthorized(
      `invalid token: it lives longer than the ${policy.maxTtlSeconds} s allowed (SYNC_JWT_MAX_TTL); ` +
        'issue shorter-lived tokens',
    );
  }
}

/** A client-facing reason for a rejected token (never the token). */
function rejection(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'exp') return 'invalid token: exp is required (tokens must expire)';
    if (err.claim === 'nbf') return 'token not valid yet (nbf)';
    if (err.claim === 'iss') return 'invalid token: wrong or missing issuer (iss)';
    if (err.claim === 'aud') return 'invalid token: wrong or missing audience (aud)';
  }
  return 'invalid token: bad signature, algorithm or claims';
}

/** onRequest hook of the /api/v1 scope: authenticates before the body is even read. */
export function authHook(authenticate: Authenticate) {
  return async (request: FastifyRequest): Promise<void> => {
    request.userId = await authenticate(request.headers.authorization);
  };
}
