import type { CanonicalRecord, IncrementalCursor, Page } from '../adapters/types.js';
import type { ItemFailure } from './sync-metadata.js';

/** A page fetched and mapped, waiting for the batch that commits it. */
export interface ReadyPage {
  page: Page;
  records: CanonicalRecord[];
  failures: ItemFailure[];
  /** The newest (updatedAt, id) seen up to this page included. */
  maxSeen: IncrementalCursor | null;
}

/** The pages one batch takes, in order: their records and failures, and the last of them. */
export interface PageGroup {
  pages: number;
  records: CanonicalRecord[];
  failures: ItemFailure[];
  /** Its checkpoint, `done` and `maxSeen` are the batch's. */
  last: ReadyPage;
}

/**
 * Group commit: the queue between the page walk and the batch commits. The
 * walk pushes each page as soon as it is fetched and mapped (it waits only
 * while `room` pages are already waiting); the committer takes, when its
 * previous commit has ended, every page that is ready, up to a cap of records
 * — never waiting for more while one page is ready. A fast source thus makes
 * few large transactions, a slow one commits page by page.
 *
 * The sync's signal wakes a waiting `take`, which then throws the signal's
 * reason; a failed walk (`fail`) is thrown by `take` once the pages fetched
 * before the failure have been taken.
 */
export class ReadyPages {
  private readonly waiting: ReadyPage[] = [];
  private failure: { reason: unknown } | undefined;
  private ended = false;
  private closed = false;
  private wakeTaker: (() => void) | undefined;
  private wakePusher: (() => void) | undefined;

  constructor(
    /** Most pages waiting before `push` waits. */
    private readonly room: number,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.wake(), { once: true });
  }

  /** Adds a page; waits while the queue is full. Returns false once the committer has gone (`close`). */
  async push(page: ReadyPage): Promise<boolean> {
    while (this.waiting.length >= this.room && !this.closed) {
      await new Promise<void>((resolve) => (this.wakePusher = resolve));
    }
    if (this.closed) return false;
    this.waiting.push(page);
    this.wake();
    return true;
  }

  /** The walk failed: `take` throws `reason` after the pages already pushed. */
  fail(reason: unknown): void {
    this.failure = { reason };
    this.wake();
  }

  /** The walk ended (after its last page, or without one). */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The committer is gone: a waiting or later `push` returns false. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /**
   * Waits until a page is ready, then takes the ready pages in order while
   * their records stay within `cap` (always at least one page, never past a
   * `done` page). Undefined when the walk ended with no page left. Throws the
   * signal's reason once it is aborted, and the walk's failure once no page
   * is left.
   */
  async take(cap: number): Promise<PageGroup | undefined> {
    for (;;) {
      this.signal.throwIfAborted();
      if (this.waiting.length > 0) break;
      if (this.failure) throw this.failure.reason;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wakeTaker = resolve));
    }
    let count = 0;
    let size = 0;
    for (const ready of this.waiting) {
      const items = ready.records.length + ready.failures.length;
      if (count > 0 && size + items > cap) break;
      count += 1;
      size += items;
      if (ready.page.done) break;
    }
    const taken = this.waiting.splice(0, count);
    this.wake();
    return {
      pages: taken.length,
      records: taken.flatMap((r) => r.records),
      failures: taken.flatMap((r) => r.failures),
      last: taken.at(-1)!,
    };
  }

  private wake(): void {
    const taker = this.wakeTaker;
    const pusher = this.wakePusher;
    this.wakeTaker = undefined;
    this.wakePusher = undefined;
    taker?.();
    pusher?.();
  }
}
