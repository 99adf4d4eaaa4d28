/** True when `err` is the caller's own abort (cancel, shutdown), which must propagate untouched. */
export function isCallerAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  if (!signal?.aborted) return false;
  return err === signal.reason || isAbortError(err);
}

function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
