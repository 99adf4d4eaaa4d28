import type { FastifyRequest } from 'fastify';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { ErrorCodes, SyncWorkerError } from '../errors.js';

/**
 * Bearer JWT (HS256, SYNC_JWT_SECRET): `sub` is the user's uuid, `exp` is
 * honoured when present. The token never reaches a log or an error message.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user's id (`sub`); set by the /api/v1 auth hook. */
    userId: string;
  }
}

export function unauthorized(message: string): SyncWorkerError {
  return new SyncWorkerError(ErrorCodes.UNAUTHORIZED, message);
}

const uuid = z.uuid();

export type Authenticate = (authorization: string | undefined) => Promise<string>;

/** Returns the user id of a valid `Authorization: Bearer <JWT>` header; UNAUTHORIZED otherwise. */
export function createAuthenticator(secret: string): Authenticate {
  const key = new TextEncoder().encode(secret);
  return async (authorization) => {
    if (!authorization) throw unauthorized('missing bearer token: send Authorization: Bearer <JWT>');
    const match = /^Bearer +([A-Za-z0-9_.-]+)$/i.exec(authorization.trim());
    if (!match) throw unauthorized('malformed Authorization header: expected Bearer <JWT>');
    let sub: unknown;
    try {
      ({
        payload: { sub },
      } = await jwtVerify(match[1]!, key, { algorithms: ['HS256'], clockTolerance: 5 }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw unauthorized('token expired');
      throw unauthorized('invalid token: bad signature, algorithm or claims');
    }
    if (typeof sub !== 'string' || !uuid.safeParse(sub).success) {
      throw unauthorized('invalid token: sub must be the user id (a uuid)');
    }
    return sub.toLowerCase();
  };
}

/** onRequest hook of the /api/v1 scope: authenticates before the body is even read. */
export function authHook(authenticate: Authenticate) {
  return async (request: FastifyRequest): Promise<void> => {
    request.userId = await authenticate(request.headers.authorization);
  };
}
