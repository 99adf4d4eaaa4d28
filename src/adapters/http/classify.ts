import { ErrorCodes, SourceError, SyncWorkerError } from '../../errors.js';
import { redactText } from './redact.js';

export interface ClassifyOptions {
  /** Source name for messages ("WooCommerce"). */
  source: string;
  /** Literal secrets to redact from messages. */
  secrets?: readonly string[] | undefined;
  /** What was being done ("GET https://…"), already redacted. */
  context?: string;
}

/** True when `err` is the caller's own abort (cancel, shutdown), which must propagate untouched. */
export function isCallerAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted && (err === signal.reason || isNamed(err, 'AbortError'))) return true;
  return false;
}

/**
 * Any thrown value → a SyncWorkerError with its retry class. Typed errors pass
 * through; aborts become SYNC_CANCELLED (the engine rethrows them as a cancel);
 * timeouts and fetch network failures are retryable SOURCE_NETWORK; a JSON
 * parse failure is a retryable SOURCE_BAD_RESPONSE; anything else is INTERNAL.
 */
export function classifySourceError(err: unknown, options: ClassifyOptions): SyncWorkerError {
  if (err instanceof SyncWorkerError) return err;
  const where = options.context ? `${options.source} ${options.context}` : options.source;
  const clean = (text: string) => redactText(text, options.secrets);
  if (isNamed(err, 'AbortError')) {
    return new SyncWorkerError(ErrorCodes.SYNC_CANCELLED, clean(`${where}: request aborted by the caller`), {
      retry: 'fatal',
    });
  }
  if (isNamed(err, 'TimeoutError')) {
    return new SourceError(ErrorCodes.SOURCE_NETWORK, clean(`${where}: request timed out`), {
      retry: 'retryable',
    });
  }
  if (err instanceof TypeError) {
    const code = networkCode(err);
    return new SourceError(
      ErrorCodes.SOURCE_NETWORK,
      clean(`${where}: network error${code ? ` (${code})` : ''}: ${err.message}`),
      { retry: 'retryable', details: code ? { networkCode: code } : undefined },
    );
  }
  if (err instanceof SyntaxError) {
    return new SourceError(
      ErrorCodes.SOURCE_BAD_RESPONSE,
      clean(`${where}: unreadable response: ${err.message}`),
      {
        retry: 'retryable',
      },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new SyncWorkerError(ErrorCodes.INTERNAL, clean(`${where}: ${message}`), { retry: 'fatal' });
}

function isNamed(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/** `ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`… from undici's `fetch failed` cause chain. */
function networkCode(err: Error): string | undefined {
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 4 && cause && typeof cause === 'object'; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
