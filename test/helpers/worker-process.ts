import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/sync-worker.js', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  /** Everything the process wrote to stderr (its pino logs). */
  logs(): string;
  /** Everything it wrote to stdout. */
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/**
 * A long-running `sync-worker <args>` (worker, api, start) in a child process
 * with exactly `env` plus PATH: from source via tsx, or the installed entry
 * point (bin/ → dist/) with `compiled`.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): CliProcess {
  const argv = options.compiled ? [bin, ...args] : ['--import', 'tsx', entry, ...args];
  const child = spawn(process.execPath, argv, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, logs: () => stderr, output: () => stdout, exited, kill: (signal) => child.kill(signal) };
}

/** `sync-worker worker` in a child process (from source, via tsx), with exactly `env` plus PATH. */
export function spawnWorker(env: Record<string, string>, args: string[] = []): CliProcess {
  return spawnCli(['worker', ...args], { ...env, LOG_LEVEL: 'info' });
}

/** Kills every process a test left running (call in afterAll). */
export async function killAllWorkers(): Promise<void> {
  const left = [...running];
  for (const child of left) child.kill('SIGKILL');
  await Promise.all(left.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
}
