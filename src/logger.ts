import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

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
  'consumer_key',
  'consumer_secret',
  '*.consumer_key',
  '*.consumer_secret',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'req.headers.authorization',
];

/**
 * The request as Fastify logs it (`incoming request`): method and path,
 * never the query string (a client may put a token there) nor headers.
 */
function requestSerializer(req: { method?: string; url?: string; ip?: string }) {
  return { method: req.method, url: req.url?.split('?')[0], remoteAddress: req.ip };
}

/**
 * Logs go to stderr, so stdout stays free for the one JSON object a CLI
 * command prints with `--json`.
 */
export function createLogger(
  level: LoggerOptions['level'] = 'info',
  name = 'sync-worker',
  /** Where lines go. @defaultValue stderr */
  destination: DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err, req: requestSerializer },
    },
    destination,
  );
}
