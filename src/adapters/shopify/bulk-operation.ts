import { z } from 'zod';
import { sourceError, type SourceError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { sleep } from '../../sleep.js';
import type { HeartbeatDetail } from '../types.js';
import type { ShopifyClient } from './client.js';
import { BULK_CANCEL_MUTATION, BULK_CURRENT_QUERY, BULK_POLL_QUERY, BULK_RUN_MUTATION } from './queries.js';

/**
 * One bulk query operation at a time per shop (Shopify's rule): start it,
 * poll it with `node(id:)` (which every version answers), beating the
 * engine's heartbeat on every poll, and cancel it on close.
 */

const operationSchema = z.object({
  id: z.string(),
  status: z.string(),
  errorCode: z.string().nullish(),
  objectCount: z.union([z.string(), z.number()]).nullish(),
  rootObjectCount: z.union([z.string(), z.number()]).nullish(),
  url: z.string().nullish(),
  partialDataUrl: z.string().nullish(),
});
export type BulkOperationState = z.infer<typeof operationSchema>;

const runSchema = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullish(),
    userErrors: z.array(z.object({ message: z.string(), code: z.string().nullish() })),
  }),
});

const currentSchema = z.object({
  currentBulkOperation: z.object({ id: z.string(), status: z.string(), query: z.string() }).nullish(),
});

export interface BulkRunnerOptions {
  client: ShopifyClient;
  /** Between polls of a running operation. */
  pollIntervalMs: number;
  heartbeat?: (detail: HeartbeatDetail) => Promise<void>;
  logger?: Logger;
}

export class BulkRunner {
  /** The operation this adapter started and has not seen finish (cancelled by `cancelRunning`). */
  private running: string | null = null;

  constructor(private readonly options: BulkRunnerOptions) {}

  /**
   * Starts a bulk export of `query`. Resolves with its id, or null when
   * another bulk query of the shop is running (the caller pages instead). A
   * running operation with the very same query is this source's own, left by
   * an attempt that died before its first checkpoint: it is adopted.
   */
  async start(query: string, signal?: AbortSignal): Promise<string | null> {
    const { data } = await this.options.client.query(
      'bulkOperationRunQuery',
      BULK_RUN_MUTATION,
      { query },
      signal,
    );
    const payload = runSchema.parse(data).bulkOperationRunQuery;
    if (payload.bulkOperation && payload.userErrors.length === 0) {
      this.running = payload.bulkOperation.id;
      return payload.bulkOperation.id;
    }
    const busy = payload.userErrors.find((e) => e.code === 'OPERATION_IN_PROGRESS');
    if (!busy) {
      throw sourceError({
        kind: 'bad_request',
        message: `Shopify bulkOperationRunQuery: ${payload.userErrors.map((e) => `${e.code ?? 'ERROR'}: ${e.message}`).join('; ')}`,
        details: { userErrors: payload.userErrors },
      });
    }
    const current = currentSchema.parse(
      (await this.options.client.query('currentBulkOperation', BULK_CURRENT_QUERY, {}, signal)).data,
    ).currentBulkOperation;
    if (
      current &&
      sameQuery(current.query, query) &&
      ['CREATED', 'RUNNING', 'COMPLETED'].includes(current.status)
    ) {
      this.options.logger?.info(
        { operationId: current.id },
        'adopting the running Shopify bulk operation of a previous attempt',
      );
      this.running = current.status === 'COMPLETED' ? null : current.id;
      return current.id;
    }
    this.options.logger?.info(
      { message: busy.message },
      'another Shopify bulk operation is running; paging instead',
    );
    return null;
  }

  /** Polls until the operation ends; resolves with the completed state, throws a typed error otherwise. */
  async waitDone(id: string, signal?: AbortSignal): Promise<BulkOperationState> {
    for (;;) {
      const state = await this.poll(id, signal);
      if (state.status === 'COMPLETED') {
        if (this.running === id) this.running = null;
        return state;
      }
      if (!['CREATED', 'RUNNING'].includes(state.status)) {
        if (this.running === id) this.running = null;
        throw failed(state);
      }
      await this.options.heartbeat?.({
        phase: 'shopify-bulk-export',
        message: `${state.status.toLowerCase()}: ${String(state.objectCount ?? 0)} objects so far`,
      });
      await sleep(this.options.pollIntervalMs, signal);
    }
  }

  async poll(id: string, signal?: AbortSignal): Promise<BulkOperationState> {
    const { data } = await this.options.client.query('bulk operation poll', BULK_POLL_QUERY, { id }, signal);
    const parsed = operationSchema.safeParse(data.node);
    if (parsed.success) return parsed.data;
    // Expired or never ours: the next attempt starts a new export.
    throw sourceError({
      kind: 'unavailable',
      message: `Shopify bulk operation ${id} is gone`,
      details: { operationId: id },
    });
  }

  /** Cancels the operation this adapter started, if it still runs. Never throws. */
  async cancelRunning(): Promise<void> {
    const id = this.running;
    if (!id) return;
    this.running = null;
    try {
      await this.options.client.query(
        'bulkOperationCancel',
        BULK_CANCEL_MUTATION,
        { id },
        AbortSignal.timeout(10_000),
      );
      this.options.logger?.info({ operationId: id }, 'cancelled the running Shopify bulk operation');
    } catch (err) {
      this.options.logger?.warn({ operationId: id, err }, 'could not cancel the Shopify bulk operation');
    }
  }
}

function sameQuery(a: string, b: string): boolean {
  return a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
}

function failed(state: BulkOperationState): SourceError {
  const message = `Shopify bulk operation ${state.id} ended ${state.status}${state.errorCode ? ` (${state.errorCode})` : ''}`;
  if (state.errorCode === 'ACCESS_DENIED') {
    return sourceError({
      kind: 'forbidden',
      message: `${message}: the app lacks an access scope`,
      details: { ...state },
    });
  }
  // TIMEOUT, INTERNAL_SERVER_ERROR, CANCELED by someone, EXPIRED: the next attempt starts a new export.
  return sourceError({ kind: 'unavailable', message, details: { ...state } });
}
