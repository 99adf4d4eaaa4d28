import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';
import { checkDemoRequests, runDemo, type DemoReport, type RunDemoOptions } from './run-demo.js';

export interface DemoSessionOptions extends RunDemoOptions {
  /** The API that answers the demo's requests (checked in-process, before they are printed). */
  app: FastifyInstance;
}

/**
 * Runs the demo (the store and the workers must be running), then checks
 * that the API answers the printed requests with 200; otherwise the report
 * says `failed`.
 */
export async function runDemoSession(runtime: Runtime, options: DemoSessionOptions): Promise<DemoReport> {
  const report = await runDemo(runtime, options);
  const statuses = await checkDemoRequests(options.app, report);
  if (statuses.some((s) => s !== 200)) {
    options.say(`the API answered the demo's requests with ${statuses.join(', ')} (expected 200)`);
    report.status = 'failed';
  }
  return report;
}
