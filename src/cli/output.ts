import { ConfigError, ValidationError } from '../errors.js';
import { publicError } from '../public-error.js';

/** Exit codes of every command. */
export const ExitCode = {
  OK: 0,
  /** Failed: an error, Postgres or Redis unreachable, or (`sync --wait`) a sync that did not complete cleanly. */
  FAILED: 1,
  /** Bad configuration or input: fix the command line or environment. */
  USAGE: 2,
} as const;

/**
 * Prints a command's result: one JSON object on stdout with `--json`,
 * otherwise the human text.
 */
export function printResult(json: boolean | undefined, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

/**
 * Prints an error (as `{"error":{code,message}}` with --json) and returns the
 * exit code. Database and Redis failures carry their hint; nothing untyped is
 * shown beyond its first line.
 */
export function reportError(err: unknown, json: boolean | undefined): number {
  const usage = err instanceof ValidationError || err instanceof ConfigError;
  const body = publicError(err).toJSON();
  if (json) process.stdout.write(`${JSON.stringify({ error: body })}\n`);
  else process.stderr.write(`sync-worker: ${body.message}\n`);
  return usage ? ExitCode.USAGE : ExitCode.FAILED;
}
