import { refuseUnstorableFlags } from './flags.js';
import { ExitCode, reportError } from './output.js';

/**
 * Wraps a command action: runs it, reports any error in the command's output
 * format, and sets the exit code (0 ok, 1 failed, 2 bad input or config).
 * Flag values and arguments Postgres could not store (a NUL character) are
 * refused before the action runs.
 * The action may return an exit code of its own (e.g. `sync --wait` exits 1
 * when the sync did not complete cleanly).
 */
export function runCommand<O extends { json?: boolean }>(
  action: (opts: O, ...rest: unknown[]) => Promise<number | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // commander passes (…positional, opts, command)
    const opts = args[args.length - 2] as O;
    try {
      refuseUnstorableFlags(opts, args.slice(0, -2));
      const code = await action(opts, ...args);
      process.exitCode = code ?? ExitCode.OK;
    } catch (err) {
      process.exitCode = reportError(err, opts?.json);
    }
  };
}
