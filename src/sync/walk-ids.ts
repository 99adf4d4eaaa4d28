import type { Page, SourceAdapter, SyncEntityType } from '../adapters/types.js';
import { collectSourceIds } from './deletion-scan.js';

/**
 * The source's ids for a full sync's deletion diff, without a hidden serial
 * second pass over the source (issue 7).
 *
 * - A walk the engine saw from its first page whose last page says
 *   `complete: true` (the adapter's continuity checks held: every record that
 *   existed throughout the run was yielded) gives its own ids: they are
 *   collected page by page here (records and items that failed to map alike)
 *   and no id scan runs. Memory: one string per source record, as the scan
 *   itself needed (about 5 MB for 100,000 ids).
 * - Otherwise the id scan (`collectSourceIds`) runs overlapped with the walk:
 *   at once for a walk resumed from a checkpoint (the ids before it were seen
 *   by another attempt), or from the first page that says `complete: false`
 *   (a continuity check failed). It shares the adapter's request concurrency
 *   and the store's rate budget with the walk, so the two together never ask
 *   the store for more than the walk alone may.
 *
 * Incremental runs mark no deletions: `idsFor` is never asked for.
 */
export class WalkIds {
  private readonly ids: string[] = [];
  private readonly stop = new AbortController();
  private scan: Promise<string[]> | undefined;
  /** A full sync (the only kind that marks deletions). */
  private readonly active: boolean;
  /** The scan waits for the walk's end (SYNC_ID_SCAN=always). */
  private readonly deferred: boolean;
  /** The walk cannot vouch for the source's ids (resumed, or a continuity check failed). */
  private partial: boolean;

  constructor(
    private readonly adapter: SourceAdapter,
    private readonly entity: SyncEntityType,
    private readonly signal: AbortSignal,
    options: {
      full: boolean;
      /** The walk starts from a checkpoint. */
      resumed: boolean;
      /** SYNC_ID_SCAN=always: the scan after the walk, whatever the walk saw. */
      alwaysScan?: boolean;
    },
  ) {
    this.active = options.full;
    this.partial = options.resumed || options.alwaysScan === true;
    this.deferred = options.alwaysScan === true;
    if (this.active && this.partial && !this.deferred) this.startScan();
  }

  /** Records a page's ids (call it for every page, in order). */
  see(page: Page, ids: Iterable<string>): void {
    if (!this.active) return;
    if (page.complete === false && !this.partial && !this.deferred) {
      this.partial = true;
      this.startScan();
    }
    if (!this.partial) for (const id of ids) this.ids.push(id);
  }

  /** Where `idsFor` takes the ids from, once the last page is known. */
  sourceOf(last: Page): 'walk' | 'scan' {
    return !this.partial && last.complete === true ? 'walk' : 'scan';
  }

  /** The source's ids, once the last page has been seen (`see` called for it). */
  async idsFor(last: Page): Promise<string[]> {
    if (this.sourceOf(last) === 'walk') return this.ids;
    this.ids.length = 0;
    this.partial = true;
    this.startScan();
    return this.scan!;
  }

  /** Stops a scan still running (the walk failed or was aborted). */
  close(): void {
    this.stop.abort();
  }

  private startScan(): void {
    if (this.scan) return;
    this.ids.length = 0;
    const signal = AbortSignal.any([this.signal, this.stop.signal]);
    this.scan = collectSourceIds(this.adapter, this.entity, signal);
    // Kept handled until idsFor awaits it (a failure then fails the sync, as the serial scan did).
    this.scan.catch(() => undefined);
  }
}
