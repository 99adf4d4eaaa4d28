import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../errors.js';
import { allQueueNames } from '../queues/queue-names.js';
import type { Runtime } from '../runtime.js';

export const BULL_BOARD_PATH = '/admin/queues';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** onRequest hook: HTTP basic auth, compared in constant time. */
export function basicAuth(user: string, password: string, realm: string) {
  const expected = digest(`${user}:${password}`);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization?.trim() ?? '');
    const given = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', `Basic realm="${realm}", charset="UTF-8"`)
      .send({
        error: { code: ErrorCodes.UNAUTHORIZED, message: 'Bull Board needs basic auth (BULL_BOARD_USER)' },
      });
  };
}

/**
 * Bull Board at /admin/queues with every queue, behind basic auth. Not
 * mounted (and a warning logged) unless BULL_BOARD_USER and
 * BULL_BOARD_PASSWORD are both set. Returns whether it was mounted.
 */
export async function mountBullBoard(app: FastifyInstance, runtime: Runtime): Promise<boolean> {
  const { BULL_BOARD_USER: user, BULL_BOARD_PASSWORD: password } = runtime.config;
  if (!user || !password) {
    runtime.logger.warn(
      `Bull Board is not mounted: set BULL_BOARD_USER and BULL_BOARD_PASSWORD to serve it at ${BULL_BOARD_PATH}`,
    );
    return false;
  }
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: allQueueNames(runtime.sources).map((name) => new BullMQAdapter(runtime.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'sync-worker' } },
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', basicAuth(user, password, 'Bull Board'));
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
  return true;
}
