import { formatDuration } from '../format-duration.js';
import type { DemoReport } from './run-demo.js';

const count = new Intl.NumberFormat('en-US');

/**
 * The demo's printout for people: what ran, then what to do next (the token,
 * two requests, Bull Board and its login). `serving`: the API and the demo
 * store keep running in this process (`start --demo`); otherwise they
 * stopped with the demo and `sync-worker start` serves the API.
 */
export function formatDemoReport(report: DemoReport, serving: boolean): string {
  const n = (value: number) => count.format(value);
  const lines: string[] = [];
  const ok = report.status === 'completed';
  lines.push(ok ? 'The demo sync completed.' : 'The demo did not complete: see the lines above.', '');
  for (const s of report.syncs) {
    const took = s.elapsedSeconds === null ? '' : ` in ${formatDuration(s.elapsedSeconds)}`;
    lines.push(
      `  ${s.entity.padEnd(9)} ${s.status}${took}: ${n(s.processedCount)} of ${n(s.totalItems)} processed, ` +
        `${n(s.failedCount)} failed · created ${n(s.created)}, updated ${n(s.updated)}, ` +
        `unchanged ${n(s.unchanged)}, deleted ${n(s.deleted)}  (${s.syncId})`,
    );
    if (s.error) lines.push(`            ${s.error.code}: ${s.error.message}`);
  }
  lines.push(
    '',
    `  org ${report.orgId} · user ${report.userId} · connection ${report.connectionId} ("demo store")`,
    '',
    'Next:',
    '',
    `  An API token for the demo user, valid until ${report.expiresAt}`,
    `  (another one: sync-worker token --user ${report.userId}):`,
    '',
    `    TOKEN=${report.token}`,
    '',
    serving
      ? `  Ask the API (${report.apiUrl}):`
      : `  Ask the API — start it first with \`sync-worker start\` (same environment), then:`,
    '',
    ...report.curl.map((c) => `    ${c.replace(report.token, '$TOKEN')}`),
    '',
  );
  lines.push(
    report.bullBoard
      ? `  Bull Board: ${report.bullBoard.url}  (user ${report.bullBoard.user}, password ${report.bullBoard.password})` +
          (serving ? '' : ' — with `sync-worker start` running')
      : '  Bull Board is off: set BULL_BOARD_USER and BULL_BOARD_PASSWORD to serve it at /admin/queues.',
    `  More: sync-worker status · sync-worker sync --connection ${report.connectionId} --entity customer --wait`,
    serving
      ? `  The demo store (${report.store.url}) runs as long as this process does.`
      : '  The demo store stopped with the demo; `sync-worker start --demo` keeps it running.',
  );
  return lines.join('\n');
}
