import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Bindings carry `jobId`, `syncId`, `connectionId`
 * (child loggers); secrets are redacted wherever they might appear.
 */
export const redactPaths = [
  'credentials',
  '*.credentials',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'consumerKey',
  'consumerSecret',
  '*.consumerKey',
  '*.consumerSecret',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/**
 * Logs go to stderr, so stdout stays free for the one JSON object a CLI
 * command prints with `--json`.
 */
export function createLogger(level: LoggerOptions['level'] = 'info', name = 'sync-worker'): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}
