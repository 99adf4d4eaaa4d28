import type { SyncEntityType } from '../adapters/types.js';
import { JobNames } from './queue-names.js';

/** Longest connection name kept in a job name (Bull Board lists jobs by name). */
const NAME_CHARS = 60;

const SEPARATOR = ' · ';

function shortName(connectionName: string): string {
  const name = connectionName.replace(/\s+/g, ' ').trim();
  return name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name;
}

/** `customer · main store`: the name of a sync job, as Bull Board lists it. */
export function syncJobName(entity: SyncEntityType, connectionName: string): string {
  return `${entity}${SEPARATOR}${shortName(connectionName)}`;
}

/** `preview · customer · main store`: the name of a preview job (it shares the source queues). */
export function previewJobName(entity: SyncEntityType, connectionName: string): string {
  return `${JobNames.preview}${SEPARATOR}${syncJobName(entity, connectionName)}`;
}

/**
 * Whether a job of a source queue is a preview: its name starts with
 * `preview · ` (or is `preview`, as jobs enqueued before readable names
 * were). Sync job names start with an entity type, never with `preview`.
 */
export function isPreviewJob(name: string): boolean {
  return name === JobNames.preview || name.startsWith(`${JobNames.preview}${SEPARATOR}`);
}
