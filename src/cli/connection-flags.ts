import { Option, type Command } from 'commander';
import { builtInSources } from '../adapters/registry.js';
import type { CliFlag } from '../adapters/source-definition.js';
import { ValidationError } from '../errors.js';
import { readSecret, type SecretSource } from './read-secret.js';

/**
 * The per-source flags of `connection add` and `connection update`, read
 * from the source definitions (`cliFlags`). Every credential flag also comes
 * in three forms that keep the value out of the process list:
 * `--<flag>-stdin`, `--<flag>-file <path>` and `--<flag>-env <NAME>`.
 */

/** A source flag with commander's name for its value (`--auth-mode` → `authMode`). */
export interface SourceFlag extends CliFlag {
  option: Option;
  attribute: string;
  /** Long flag name alone (`--auth-mode`), for messages. */
  long: string;
}

/** The three ways to give a credential flag without its value on the command line. */
const SECRET_FORMS = [
  { suffix: 'stdin', value: '', help: 'read from standard input (a terminal asks without echo)' },
  { suffix: 'file', value: ' <path>', help: 'read from this file (one trailing newline dropped)' },
  { suffix: 'env', value: ' <name>', help: 'read from this environment variable' },
] as const;

type FlagValues = Record<string, unknown>;

/** Every source's flags, from the definitions; one option per flag even when two sources share it. */
export function sourceFlags(): Map<string, SourceFlag[]> {
  const byType = new Map<string, SourceFlag[]>();
  for (const definition of builtInSources.definitions) {
    byType.set(
      definition.type,
      definition.cliFlags.map((f) => {
        const option = new Option(f.flag, `${f.help} (${definition.type})`);
        return { ...f, option, attribute: option.attributeName(), long: option.long! };
      }),
    );
  }
  return byType;
}

const isCredential = (flag: CliFlag) => flag.path.startsWith('credentials.');

/** Adds each source flag once, and each credential flag's -stdin, -file and -env forms. */
export function addSourceOptions(command: Command, flagsByType: Map<string, SourceFlag[]>): void {
  const registered = new Set<string>();
  for (const flag of [...flagsByType.values()].flat()) {
    if (registered.has(flag.long)) continue;
    registered.add(flag.long);
    command.addOption(flag.option);
    if (!isCredential(flag)) continue;
    for (const form of SECRET_FORMS) {
      command.addOption(new Option(`${flag.long}-${form.suffix}${form.value}`, `${flag.long}: ${form.help}`));
    }
  }
}

/** `--setting key=value` pairs (repeatable) → settings; bad pairs become issues. */
export function settingsFromFlags(pairs: readonly string[], issues: string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq > 0) settings[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    else issues.push(`--setting: must be key=value, got "${pair}"`);
  }
  return settings;
}

/** Which form gave a credential flag's value (at most one may). */
function secretSource(
  opts: FlagValues,
  flag: SourceFlag,
  issues: string[],
): SecretSource | 'inline' | undefined {
  const given = [
    opts[flag.attribute] !== undefined ? ('inline' as const) : undefined,
    opts[`${flag.attribute}Stdin`] ? ({ from: 'stdin' } as const) : undefined,
    typeof opts[`${flag.attribute}File`] === 'string'
      ? ({ from: 'file', path: opts[`${flag.attribute}File`] as string } as const)
      : undefined,
    typeof opts[`${flag.attribute}Env`] === 'string'
      ? ({ from: 'env', name: opts[`${flag.attribute}Env`] as string } as const)
      : undefined,
  ].filter((g) => g !== undefined);
  if (given.length > 1) {
    issues.push(
      `${flag.long}: give it one way only (${flag.long}, ${flag.long}-stdin, ${flag.long}-file or ${flag.long}-env)`,
    );
  }
  return given[0];
}

/**
 * The credentials and settings `own` flags give (absent ones left out), the
 * secrets read from standard input, files or the environment. Issues are
 * named by flag.
 */
export async function sourceFieldsFromFlags(
  opts: FlagValues,
  own: readonly SourceFlag[],
  issues: string[],
): Promise<{ credentials: Record<string, unknown>; settings: Record<string, unknown> }> {
  const credentials: Record<string, unknown> = {};
  const settings: Record<string, unknown> = {};
  const sources = own.map((flag) => ({
    flag,
    source: isCredential(flag) ? secretSource(opts, flag, issues) : undefined,
  }));
  const stdinReaders = sources.filter((s) => typeof s.source === 'object' && s.source.from === 'stdin');
  if (stdinReaders.length > 1) {
    issues.push(
      `${stdinReaders.map((s) => `${s.flag.long}-stdin`).join(', ')}: only one flag can read standard input`,
    );
    return { credentials, settings };
  }
  for (const { flag, source } of sources) {
    const [part, field] = flag.path.split('.') as ['credentials' | 'settings', string];
    if (part === 'settings') {
      if (opts[flag.attribute] !== undefined) settings[field] = opts[flag.attribute];
      continue;
    }
    if (source === undefined) continue;
    try {
      credentials[field] =
        source === 'inline' ? opts[flag.attribute] : await readSecret(`${flag.long}-${source.from}`, source);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues);
    }
  }
  return { credentials, settings };
}

/** Source flags given that `type`'s connections do not use (any form). */
export function unusedFlagIssues(
  opts: FlagValues,
  flagsByType: Map<string, SourceFlag[]>,
  type: string,
): string[] {
  const own = new Set((flagsByType.get(type) ?? []).map((f) => f.long));
  const given = [...flagsByType.values()]
    .flat()
    .filter((f) => !own.has(f.long))
    .filter((f) =>
      [f.attribute, `${f.attribute}Stdin`, `${f.attribute}File`, `${f.attribute}Env`].some(
        (a) => opts[a] !== undefined,
      ),
    );
  return [...new Set(given.map((f) => f.long))].map((long) => `${long}: is not used by ${type} connections`);
}

const COMMON_FLAGS: Record<string, string> = {
  orgId: '--org',
  type: '--type',
  name: '--name',
  baseUrl: '--url',
};

/** `credentials.secret: …` → `--secret: …`, `settings.apiVersion: …` → `--setting apiVersion: …`. */
export function toFlagIssue(issue: string, own: readonly SourceFlag[]): string {
  const at = issue.indexOf(': ');
  const path = issue.slice(0, at);
  const flag =
    COMMON_FLAGS[path] ??
    own.find((f) => f.path === path)?.long ??
    (path.startsWith('settings.') ? `--setting ${path.slice(9)}` : path);
  return `${flag}${issue.slice(at)}`;
}

/** A ValidationError listing every flag issue (exit 2). */
export function flagIssuesError(issues: readonly string[]): ValidationError {
  return new ValidationError(`invalid flags:\n${issues.map((i) => `  - ${i}`).join('\n')}`, [...issues]);
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
