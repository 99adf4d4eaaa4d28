import type { LimitFunction } from 'p-limit';
import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { WooClient } from './client.js';
import { EMBEDDED_VARIATIONS } from './mapper.js';

const PER_PAGE = 100;

/**
 * Embeds the variations of every `variable` product of a page under
 * `embedded_variations` (all pages of `products/{id}/variations`, by id).
 * A product deleted since its page was read (404 invalid id) is dropped from
 * the page: the deletion scan accounts for it.
 */
export async function embedVariations(
  client: WooClient,
  items: unknown[],
  limit: LimitFunction,
  signal: AbortSignal | undefined,
  logger: Logger,
): Promise<unknown[]> {
  const embedded = await Promise.all(
    items.map(async (item) => {
      const product = item as { id?: unknown; type?: unknown; variations?: unknown };
      if (product.type !== 'variable') return item;
      if (Array.isArray(product.variations) && product.variations.length === 0) {
        return { ...product, [EMBEDDED_VARIATIONS]: [] };
      }
      try {
        const variations = await fetchVariations(client, String(product.id), limit, signal);
        return { ...product, [EMBEDDED_VARIATIONS]: variations };
      } catch (err) {
        if (!isInvalidId(err)) throw err;
        logger.info({ productId: product.id }, 'WooCommerce product vanished while reading its variations');
        return undefined;
      }
    }),
  );
  return embedded.filter((item) => item !== undefined);
}

async function fetchVariations(
  client: WooClient,
  productId: string,
  limit: LimitFunction,
  signal: AbortSignal | undefined,
): Promise<unknown[]> {
  const all: unknown[] = [];
  for (let page = 1; ; page++) {
    const { items } = await limit(() =>
      client.list(
        `products/${productId}/variations`,
        { per_page: PER_PAGE, page, orderby: 'id', order: 'asc' },
        signal,
      ),
    );
    all.push(...items);
    if (items.length < PER_PAGE) return all;
  }
}

function isInvalidId(err: unknown): boolean {
  if (!(err instanceof SyncWorkerError) || err.code !== ErrorCodes.SOURCE_NOT_FOUND) return false;
  const wooCode = err.details?.wooCode;
  return typeof wooCode === 'string' && /_invalid_id$/.test(wooCode);
}
