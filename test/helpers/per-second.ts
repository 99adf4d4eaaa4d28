/** Counts of timestamps (ms since the epoch) per calendar second, highest first. */
export function perCalendarSecond(timestamps: readonly number[]): { second: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const t of timestamps) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return [...counts].map(([second, count]) => ({ second, count })).sort((a, b) => b.count - a.count);
}
