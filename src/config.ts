import { z } from 'zod';
import { sources, type BuiltInSourceType } from './adapters/registry.js';
import { keyBytes, parseKeyList } from './connections/key-ring.js';
import { EgressAllowSyntaxError, parseEgressAllow } from './egress/allow-list.js';
import { ConfigError } from './errors.js';

/**
 * The environment, parsed once with a schema. Every variable is documented
 * here with its default; `.env.example` and the README list the same.
 */

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `30m`, `1h`, `1d`, `250ms` (a bare number is seconds) → milliseconds; null when malformed. */
export function parseDurationMs(value: string): number | null {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) return null;
  return Number(m[1]) * DURATION_UNITS_MS[(m[2] ?? 's') as keyof typeof DURATION_UNITS_MS];
}

/** A duration (`1800`, `90s`, `30m`, `1h`, `500ms`; a bare number is seconds), parsed to milliseconds. */
const duration = (name: string) =>
  z
    .string()
    .refine((v) => parseDurationMs(v) !== null, `${name} must be a duration like 1800, 90s, 30m or 1h`)
    .transform((v) => parseDurationMs(v)!);

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgresql:// URL');

/** One seed node of REDIS_CLUSTER_NODES. */
export interface ClusterNode {
  host: string;
  port: number;
}

/** `host:port,host:port` (comma- or space-separated) → nodes; a message saying what is wrong otherwise. */
export function parseClusterNodes(value: string): ClusterNode[] | string {
  const entries = value.split(/[\s,]+/).filter(Boolean);
  if (!entries.length) return 'must list at least one host:port';
  const nodes: ClusterNode[] = [];
  for (const entry of entries) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) return `"${entry}" is not host:port`;
    nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return nodes;
}

/** `SYNC_CONCURRENCY_WOOCOMMERCE` for `woocommerce`. */
export type ConcurrencyVariable<T extends string> = `SYNC_CONCURRENCY_${Uppercase<T>}`;

export function concurrencyVariable<T extends string>(type: T): ConcurrencyVariable<T> {
  return `SYNC_CONCURRENCY_${type.toUpperCase()}` as ConcurrencyVariable<T>;
}

/**
 * `SYNC_CONCURRENCY_<TYPE>` for every source of the registry: concurrent sync
 * jobs per worker process on that source's queue (1..100).
 * @defaultValue the source definition's `defaultConcurrency` (2 for WooCommerce, Odoo and Shopify)
 */
const sourceConcurrency = Object.fromEntries(
  sources.map((s) => [concurrencyVariable(s.type), intIn(1, 100).default(s.defaultConcurrency)]),
) as { [K in BuiltInSourceType as ConcurrencyVariable<K>]: z.ZodDefault<ReturnType<typeof intIn>> };

export const envSchema = z.object({
  /** Postgres connection string. Required. */
  DATABASE_URL: postgresUrl,
  /**
   * The Postgres server itself when DATABASE_URL names a pooler (PgBouncer in transaction mode):
   * `migrate` connects here, since it holds a session-level advisory lock (Prisma's convention,
   * `directUrl`). @defaultValue DATABASE_URL
   */
  DATABASE_DIRECT_URL: postgresUrl.optional(),
  /** Redis connection string. @defaultValue redis://127.0.0.1:6379 */
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /**
   * Redis Cluster seed nodes, `host:port,host:port,…` (any of the cluster's nodes; the rest are
   * discovered). When set it replaces REDIS_URL: every queue, worker, job scheduler and rate
   * budget goes through an ioredis Cluster client, and QUEUE_PREFIX must hold a `{hash tag}`.
   * @defaultValue unset (one Redis at REDIS_URL)
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((v, ctx) => {
      const nodes = parseClusterNodes(v);
      if (typeof nodes === 'string') {
        ctx.addIssue({ code: 'custom', message: nodes });
        return z.NEVER;
      }
      return nodes;
    })
    .optional(),
  /** Prefix of every BullMQ key; hash-tagged so Redis Cluster keeps a queue on one slot. @defaultValue {sync-worker} */
  QUEUE_PREFIX: z.string().min(1).default('{sync-worker}'),
  /** 32-byte key (64 hex chars or base64) encrypting connection credentials (kid `default`). Required by commands that read or write connections, unless SYNC_ENCRYPTION_KEYS is set. */
  SYNC_ENCRYPTION_KEY: z
    .string()
    .refine(
      (v) => keyBytes(v) !== undefined,
      'must be 32 bytes: 64 hex characters or base64 (openssl rand -hex 32)',
    )
    .optional(),
  /**
   * Key rotation: `kid:key,kid:key…` (each key as in SYNC_ENCRYPTION_KEY, kid of 1-32 letters,
   * digits, `_` or `-`). The first encrypts; all decrypt. Replaces SYNC_ENCRYPTION_KEY (set one).
   */
  SYNC_ENCRYPTION_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      for (const message of parseKeyList(v).issues) ctx.addIssue({ code: 'custom', message });
    })
    .optional(),
  /** HS256 secret verifying API bearer tokens (at least 32 characters). Required by the API. */
  SYNC_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Longest lifetime of an API token (`exp` − `iat`); tokens without `exp` are refused. @defaultValue 24h */
  SYNC_JWT_MAX_TTL: duration('SYNC_JWT_MAX_TTL')
    .refine((ms) => ms >= 60_000, 'must be at least 1m')
    .default(86_400_000),
  /** Clock skew tolerated on a token's `exp`, `nbf` and `iat`. @defaultValue 30s */
  SYNC_JWT_CLOCK_SKEW: duration('SYNC_JWT_CLOCK_SKEW')
    .refine((ms) => ms <= 300_000, 'must be at most 5m')
    .default(30_000),
  /** When set, a token's `iss` must equal it. */
  SYNC_JWT_ISSUER: z.string().min(1).optional(),
  /** When set (comma-separated), a token's `aud` must include one of these. */
  SYNC_JWT_AUDIENCE: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1, 'must name at least one audience'))
    .optional(),
  /**
   * CIDRs and host names a source may be fetched from despite the egress policy (which refuses
   * loopback, private, link-local, CGNAT, multicast, reserved and cloud metadata addresses),
   * comma- or space-separated: `10.20.0.0/16,odoo.corp.example,*.stores.example`. @defaultValue none
   */
  SYNC_EGRESS_ALLOW: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseEgressAllow(v);
      } catch (err) {
        if (!(err instanceof EgressAllowSyntaxError)) throw err;
        for (const message of err.issues) ctx.addIssue({ code: 'custom', message });
      }
    })
    .optional(),
  /** HTTP port of the API and Bull Board. @defaultValue 3000 */
  PORT: intIn(1, 65535).default(3000),
  /** Interface the API binds. @defaultValue 0.0.0.0 */
  HOST: z.string().default('0.0.0.0'),
  /**
   * Database role each API request runs as (`SET LOCAL ROLE` in its transaction), so row-level
   * security applies even when DATABASE_URL's user owns the tables. Migration api_role creates
   * `sync_worker_api`; another role needs the same grants. @defaultValue sync_worker_api
   */
  API_DB_ROLE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'must be a role name (letters, digits, _ or $; at most 63)')
    .default('sync_worker_api'),
  /**
   * Postgres URL the HTTP API connects with: a login that can do nothing but become API_DB_ROLE
   * (PostgREST's authenticator). Migration api_authenticator creates `sync_worker_authenticator`
   * (LOGIN NOINHERIT, no privileges of its own, member of `sync_worker_api`) where the migrating
   * user may; give it a password and put it here. The API checks at start-up that this login can do
   * nothing else and refuses to start otherwise. When unset, the API connects with DATABASE_URL
   * (whose login can `RESET ROLE` back to itself inside a request) and warns at start-up.
   * @defaultValue DATABASE_URL
   */
  API_DATABASE_URL: postgresUrl.optional(),
  /** Requests each API user (token `sub`) may make per API_RATE_LIMIT_WINDOW, counted in Redis across every API process; 0 turns the limit off. @defaultValue 600 */
  API_RATE_LIMIT: intIn(0, 1_000_000).default(600),
  /** The window of API_RATE_LIMIT (a fixed window starting at the user's first request). @defaultValue 1m */
  API_RATE_LIMIT_WINDOW: duration('API_RATE_LIMIT_WINDOW')
    .refine((ms) => ms >= 1000, 'must be at least 1s')
    .default(60_000),
  /** Port of a separate listener serving /metrics only (no auth: keep it off public networks). Off when unset. */
  METRICS_PORT: intIn(1, 65535).optional(),
  /** Basic-auth user for /metrics on the API port; with METRICS_PASSWORD, serves /metrics there. */
  METRICS_USER: z.string().min(1).optional(),
  /** Basic-auth password for /metrics on the API port. */
  METRICS_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Basic-auth user for Bull Board at /admin/queues; Bull Board is off when unset. */
  BULL_BOARD_USER: z.string().min(1).optional(),
  /** Basic-auth password for Bull Board. */
  BULL_BOARD_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ...sourceConcurrency,
  /** Concurrent maintenance jobs. @defaultValue 1 */
  SYNC_CONCURRENCY_MAINTENANCE: intIn(1, 10).default(1),
  /**
   * Most records one batch transaction holds (group commit's cap): a batch
   * takes the pages that are ready when the previous commit ends — whole
   * pages, at least one, never waiting for more — so a slow source commits
   * page by page and a fast one in batches of up to this many. Below the
   * source's page maximum it is also the page size. @defaultValue 1000
   */
  SYNC_BATCH_SIZE: intIn(1, 10_000).default(1000),
  /** Requests in flight per sync (p-limit); an id walk asks twice as many windows ahead. @defaultValue 4 */
  SYNC_PAGE_CONCURRENCY: intIn(1, 16).default(4),
  /** Attempts per sync job before it fails for good. @defaultValue 8 */
  SYNC_MAX_ATTEMPTS: intIn(1, 100).default(8),
  /** First retry delay; doubles each attempt, with jitter. @defaultValue 2s */
  SYNC_BACKOFF_BASE: duration('SYNC_BACKOFF_BASE').default(2000),
  /** Share of the mirror a full sync may mark deleted (0..1, or "50%"). @defaultValue 0.5 */
  SYNC_DELETE_GUARD: z
    .string()
    .regex(/^(\d+(\.\d+)?%?)$/, 'must be a fraction like 0.5 or a percentage like 50%')
    .transform((v) => (v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : Number(v)))
    .pipe(z.number().min(0).max(1))
    .default(0.5),
  /**
   * Where a full sync takes the source's ids for its deletion diff: `auto` uses the walk's own
   * ids when the walk saw a consistent snapshot and otherwise runs the id scan alongside the
   * walk; `always` reads every id again after the walk (a second pass, for a source whose walk
   * one does not trust). @defaultValue auto
   */
  SYNC_ID_SCAN: z.enum(['auto', 'always']).default('auto'),
  /** A sync with no progress update for this long is marked `timeout`. @defaultValue 30m */
  SYNC_STALL_TIMEOUT: duration('SYNC_STALL_TIMEOUT').default(1_800_000),
  /** Timeout of one HTTP request to a source. @defaultValue 30s */
  SYNC_HTTP_TIMEOUT: duration('SYNC_HTTP_TIMEOUT').default(30_000),
  /** A source's Retry-After up to this long is waited out by the request; a longer one delays the sync job (without using an attempt). @defaultValue 60s */
  SYNC_MAX_INLINE_RETRY_AFTER: duration('SYNC_MAX_INLINE_RETRY_AFTER').default(60_000),
  /** Months of sync_activity_log partitions kept. @defaultValue 12 */
  SYNC_LOG_RETENTION_MONTHS: intIn(1, 120).default(12),
  /** Monthly partitions created ahead of the current month. @defaultValue 3 */
  SYNC_PARTITION_MONTHS_AHEAD: intIn(0, 24).default(3),
  /** How long a worker waits for the running batch on SIGTERM before it exits (ms once parsed). @defaultValue 30s */
  SYNC_SHUTDOWN_TIMEOUT: duration('SYNC_SHUTDOWN_TIMEOUT').default(30_000),
  /** BullMQ job lock; a crashed worker's job is recovered after about this long. @defaultValue 30s */
  SYNC_JOB_LOCK_DURATION: duration('SYNC_JOB_LOCK_DURATION').default(30_000),
  /** pino level. @defaultValue info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof envSchema>;

/** Parse the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join('.');
        return i.code === 'invalid_type' && cleaned[name] === undefined
          ? `${name}: is required`
          : `${name}: ${i.message}`;
      }),
    );
  }
  const issues = crossChecks(parsed.data);
  if (issues.length) throw new ConfigError(issues);
  return parsed.data;
}

/** Rules between variables. */
function crossChecks(config: Config): string[] {
  const issues: string[] = [];
  if (config.SYNC_ENCRYPTION_KEY && config.SYNC_ENCRYPTION_KEYS) {
    issues.push(
      'SYNC_ENCRYPTION_KEYS: set it or SYNC_ENCRYPTION_KEY, not both (list the old key in SYNC_ENCRYPTION_KEYS)',
    );
  }
  if (Boolean(config.METRICS_USER) !== Boolean(config.METRICS_PASSWORD)) {
    issues.push('METRICS_USER: set it together with METRICS_PASSWORD, or neither');
  }
  if (config.REDIS_CLUSTER_NODES && !/\{[^{}]+\}/.test(config.QUEUE_PREFIX)) {
    issues.push(
      'QUEUE_PREFIX: must hold a {hash tag} (e.g. {sync-worker}) with REDIS_CLUSTER_NODES, so each queue stays on one slot',
    );
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT === config.PORT) {
    issues.push('METRICS_PORT: must differ from PORT');
  }
  return issues;
}

/** Narrow an optional variable to required for the command that needs it. */
export function requireConfig<K extends keyof Config>(
  config: Config,
  key: K,
  why: string,
): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null) {
    throw new ConfigError([`${String(key)}: is required ${why}`]);
  }
  return value as NonNullable<Config[K]>;
}
