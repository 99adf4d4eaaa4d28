/** `45s`, `3m05s`, `2h07m`: a duration for people (logs, progress lines). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * The triggers' `eta_seconds` for people: tenths under ten seconds (`1.3s`, as the column
 * holds them), otherwise as {@link formatDuration}; `--` while there is no estimate.
 */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '--';
  if (seconds < 9.95) return `${Math.max(0, Math.round(seconds * 10) / 10)}s`;
  return formatDuration(seconds);
}
