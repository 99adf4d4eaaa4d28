import { ErrorCodes, SyncWorkerError } from '../errors.js';
import type { SourceDefinition } from './source-definition.js';
import type { SyncType } from './types.js';

/**
 * Lookups over a list of source definitions. The program uses the built-in
 * list (`registry.ts`, carried by the Runtime as `runtime.sources`); tests
 * may build one with an extra source to prove the seam.
 */
export class SourceRegistry {
  private readonly byType = new Map<SyncType, SourceDefinition>();

  constructor(readonly definitions: readonly SourceDefinition[]) {
    for (const definition of definitions) {
      if (this.byType.has(definition.type)) throw new Error(`two sources of type "${definition.type}"`);
      if (definitions.filter((d) => d.queueName === definition.queueName).length > 1) {
        throw new Error(`two sources on queue "${definition.queueName}"`);
      }
      this.byType.set(definition.type, definition);
    }
  }

  /** Source types, in the registry's order. */
  get types(): SyncType[] {
    return this.definitions.map((d) => d.type);
  }

  /** Every source's queue, in the registry's order. */
  get queueNames(): string[] {
    return this.definitions.map((d) => d.queueName);
  }

  has(type: SyncType): boolean {
    return this.byType.has(type);
  }

  /** The definition of `type`, or ADAPTER_NOT_FOUND naming the known ones. */
  get(type: SyncType): SourceDefinition {
    const definition = this.byType.get(type);
    if (definition) return definition;
    throw new SyncWorkerError(
      ErrorCodes.ADAPTER_NOT_FOUND,
      `no source is defined for type "${type}" (defined: ${this.types.join(', ') || 'none'})`,
    );
  }
}
