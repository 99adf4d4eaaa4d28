import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { allQueueNames } from '../queues/queue-names.js';
import type { Runtime } from '../runtime.js';
import { basicAuth } from './basic-auth.js';

export const BULL_BOARD_PATH = '/admin/queues';

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
    scope.addHook('onRequest', basicAuth(user, password, 'Bull Board', 'BULL_BOARD_USER'));
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
  return true;
}
