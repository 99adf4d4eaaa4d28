import { describe, expect, test } from 'vitest';
import type { CanonicalRecord } from '../../src/adapters/types.js';
import { ReadyPages, type ReadyPage } from '../../src/sync/ready-pages.js';

function page(n: number, records: number, done = false): ReadyPage {
  return {
    page: { items: [], checkpoint: { n }, done },
    records: Array.from({ length: records }, (_, i): CanonicalRecord => ({
      externalId: `${n}-${i}`,
      data: {},
      sourceUpdatedAt: null,
    })),
    failures: [],
    maxSeen: null,
  };
}

describe('ReadyPages (group commit)', () => {
  test('a batch takes the ready pages up to the cap, whole pages, at least one, stopping at the last page', async () => {
    const ready = new ReadyPages(10, new AbortController().signal);
    for (const p of [page(1, 60), page(2, 60), page(3, 150), page(4, 10, true), page(5, 1)]) {
      await ready.push(p);
    }
    const sizes: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const group = (await ready.take(100))!;
      sizes.push([group.pages, group.records.length]);
    }
    // 60 + 60 > 100: one page; 150 alone is above the cap but a page is never split.
    expect(sizes).toEqual([
      [1, 60],
      [1, 60],
      [1, 150],
    ]);
    const last = (await ready.take(1000))!;
    expect([last.pages, last.last.page.done]).toEqual([1, true]);
  });

  test('a batch never waits to fill: it takes the one page ready', async () => {
    const ready = new ReadyPages(10, new AbortController().signal);
    const taking = ready.take(1000);
    await ready.push(page(1, 5));
    const group = (await taking)!;
    expect(group.records).toHaveLength(5);
  });

  test('the walk waits while the queue is full, and stops once the committer is gone', async () => {
    const ready = new ReadyPages(2, new AbortController().signal);
    expect(await ready.push(page(1, 1))).toBe(true);
    expect(await ready.push(page(2, 1))).toBe(true);
    let third: boolean | undefined;
    const pushing = ready.push(page(3, 1)).then((ok) => (third = ok));
    await new Promise((r) => setImmediate(r));
    expect(third).toBeUndefined();
    await ready.take(1); // frees a place
    await pushing;
    expect(third).toBe(true);
    const fourth = ready.push(page(4, 1)); // full again: waits
    ready.close();
    expect(await fourth).toBe(false);
  });

  test('a failed walk is thrown after the pages fetched before it; an abort at once', async () => {
    const ready = new ReadyPages(10, new AbortController().signal);
    await ready.push(page(1, 3));
    ready.fail(new Error('source down'));
    expect((await ready.take(100))!.records).toHaveLength(3);
    await expect(ready.take(100)).rejects.toThrow('source down');

    const stop = new AbortController();
    const aborted = new ReadyPages(10, stop.signal);
    const taking = aborted.take(100);
    stop.abort(new Error('cancelled'));
    await expect(taking).rejects.toThrow('cancelled');
  });

  test('a walk that ends without pages left ends the batches', async () => {
    const ready = new ReadyPages(10, new AbortController().signal);
    ready.end();
    expect(await ready.take(100)).toBeUndefined();
  });
});
