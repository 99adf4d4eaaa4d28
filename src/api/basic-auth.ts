import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * onRequest hook: HTTP basic auth, compared in constant time; a 401 in the
 * one error shape naming the variable that sets the user.
 */
export function basicAuth(user: string, password: string, realm: string, userVariable: string) {
  const expected = digest(`${user}:${password}`);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization?.trim() ?? '');
    const given = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', `Basic realm="${realm}", charset="UTF-8"`)
      .send({
        error: { code: ErrorCodes.UNAUTHORIZED, message: `${realm} needs basic auth (${userVariable})` },
      });
  };
}
