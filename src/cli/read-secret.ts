import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ValidationError } from '../errors.js';

/**
 * Where a secret flag's value comes from, besides the command line (which
 * the process list shows to every user of the machine): standard input, a
 * file, or an environment variable named by the caller.
 */
export type SecretSource = { from: 'stdin' } | { from: 'file'; path: string } | { from: 'env'; name: string };

/** One trailing newline is not part of a secret (`echo`, editors and here-strings add one). */
const chomp = (text: string): string => text.replace(/\r?\n$/, '');

/**
 * The secret's value. `flag` names it in messages (`--secret-file: cannot
 * read …`). Standard input is read to its end; on a terminal, one line is
 * read without echo.
 */
export async function readSecret(flag: string, source: SecretSource): Promise<string> {
  const fail = (message: string) => new ValidationError(`${flag}: ${message}`, [`${flag}: ${message}`]);
  if (source.from === 'env') {
    const value = process.env[source.name];
    if (value === undefined || value === '') throw fail(`environment variable ${source.name} is not set`);
    return value;
  }
  if (source.from === 'file') {
    try {
      return chomp(await readFile(source.path, 'utf8'));
    } catch (err) {
      throw fail(`cannot read ${source.path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (process.stdin.isTTY) return promptHidden(`${flag.replace(/^--|-stdin$/g, '')}: `);
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return chomp(text);
}

/** Reads one line from the terminal, echoing nothing but the prompt. */
function promptHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) =>
    rl.once('line', (line) => {
      rl.close();
      process.stderr.write('\n');
      resolve(line);
    }),
  );
}
