import { ErrorCodes, SyncWorkerError } from '../errors.js';
import type { AdapterContext, AdapterFactory, SourceAdapter, SyncType } from './types.js';

/**
 * Adapters by source type. The built-in ones register in
 * `src/adapters/index.ts`; `custom` adapters register here too.
 */
const factories = new Map<SyncType, AdapterFactory>();

export function registerAdapter(type: SyncType, factory: AdapterFactory): void {
  factories.set(type, factory);
}

export function createAdapter(type: SyncType, context: AdapterContext): SourceAdapter {
  const factory = factories.get(type);
  if (!factory) {
    throw new SyncWorkerError(
      ErrorCodes.ADAPTER_NOT_FOUND,
      `no adapter is registered for source type "${type}" (registered: ${[...factories.keys()].join(', ') || 'none'})`,
    );
  }
  return factory(context);
}

export function registeredAdapterTypes(): SyncType[] {
  return [...factories.keys()];
}
