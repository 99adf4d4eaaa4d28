import type { CanonicalRecord, IncrementalCursor, SourceAdapter, SyncEntityType } from '../adapters/types.js';
import type { ItemFailure } from './sync-metadata.js';

/** A page's raw items mapped: the records, the items that did not map, the newest cursor seen. */
export interface MappedPage {
  records: CanonicalRecord[];
  failures: ItemFailure[];
  maxSeen: IncrementalCursor | null;
}

/**
 * Newest (updatedAt, id) of `current` and `record`: ties on updatedAt are
 * broken by the source's own id order (`SourceAdapter.compareIds`).
 */
export function newerCursor(
  compareIds: (a: string, b: string) => number,
  current: IncrementalCursor | null,
  record: CanonicalRecord,
): IncrementalCursor | null {
  if (!record.sourceUpdatedAt) return current;
  const candidate = { updatedAt: record.sourceUpdatedAt.toISOString(), id: record.externalId };
  if (!current || candidate.updatedAt > current.updatedAt) return candidate;
  if (candidate.updatedAt === current.updatedAt && compareIds(candidate.id, current.id) > 0) return candidate;
  return current;
}

/** Maps every raw item of a page (sync and preview alike); `maxSeen` carries the cursor across pages. */
export function mapPage(
  adapter: Pick<SourceAdapter, 'map' | 'compareIds'>,
  entity: SyncEntityType,
  items: readonly unknown[],
  maxSeen: IncrementalCursor | null,
): MappedPage {
  const records: CanonicalRecord[] = [];
  const failures: ItemFailure[] = [];
  const compare = (a: string, b: string) => adapter.compareIds(a, b);
  for (const raw of items) {
    const mapped = adapter.map(entity, raw);
    if (mapped.ok) {
      records.push(mapped.record);
      maxSeen = newerCursor(compare, maxSeen, mapped.record);
    } else failures.push({ externalId: mapped.externalId, reason: mapped.reason });
  }
  return { records, failures, maxSeen };
}
