import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/sync-worker.js', import.meta.url));
const sourceEntry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /**
   * Run the installed entry point (bin/sync-worker.js → dist/), as `npx
   * sync-worker` does, instead of the sources through tsx (which costs about
   * twice the CPU per run: on a busy machine the CLI tests are bound by it).
   * A dist/ older than src/ fails the run (assertCliBuilt). @defaultValue true
   */
  compiled?: boolean;
  /** @defaultValue 60000 */
  timeoutMs?: number;
  /** Working directory (where `.env` is read from); use with `compiled`. @defaultValue the repository */
  cwd?: string;
  /** Written to the command's standard input, which is then closed. @defaultValue nothing (closed at once) */
  input?: string;
}

const distMain = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const srcDir = fileURLToPath(new URL('../../src', import.meta.url));

/** Newest modification time of a source file under `dir` (generated code aside). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') newest = Math.max(newest, newestSource(file));
    } else if (/\.(ts|sql)$/.test(entry.name)) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

let checked = false;

/**
 * Fails with a clear message when the compiled CLI (dist/, `npm run build`)
 * is missing or older than the sources, so a CLI test never runs stale code.
 */
export function assertCliBuilt(): void {
  if (checked) return;
  if (!existsSync(distMain)) {
    throw new Error('dist/ is missing: run `npm run build` before the CLI tests (npm ci does it in CI)');
  }
  if (newestSource(srcDir) > statSync(distMain).mtimeMs) {
    throw new Error('dist/ is older than src/: run `npm run build` before the CLI tests');
  }
  checked = true;
}

/**
 * Runs `sync-worker <args>` as a child process with exactly the given
 * environment (plus PATH, and LOG_LEVEL=silent unless given): nothing leaks
 * in from the test runner's environment. Resolves with the exit code and
 * output, whatever the exit code.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: RunCliOptions = {},
): Promise<CliResult> {
  const compiled = options.compiled ?? true;
  if (compiled) assertCliBuilt();
  const argv = compiled ? [bin, ...args] : ['--import', 'tsx', sourceEntry, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      argv,
      {
        cwd: options.cwd ?? root,
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
        timeout: options.timeoutMs ?? 60_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new Error(`sync-worker ${args.join(' ')} did not exit normally: ${error.message}\n${stderr}`),
          );
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** The one JSON object a `--json` command prints (fails when stdout holds anything else). */
export function parseJsonOutput(result: CliResult): Record<string, unknown> {
  const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) {
    throw new Error(
      `expected one line of JSON on stdout, got ${lines.length}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}
