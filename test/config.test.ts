import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { envSchema, loadConfig, requireConfig } from '../src/config.js';
import { ConfigError, ErrorCodes } from '../src/errors.js';
import { runCli } from './helpers/cli.js';

const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/sync_worker';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('defaults', () => {
    expect(loadConfig({ DATABASE_URL })).toEqual({
      DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: '{sync-worker}',
      PORT: 3000,
      HOST: '0.0.0.0',
      API_DB_ROLE: 'sync_worker_api',
      API_RATE_LIMIT: 600,
      API_RATE_LIMIT_WINDOW: 60_000,
      SYNC_JWT_MAX_TTL: 86_400_000,
      SYNC_JWT_CLOCK_SKEW: 30_000,
      SYNC_CONCURRENCY_WOOCOMMERCE: 2,
      SYNC_CONCURRENCY_ODOO: 2,
      SYNC_CONCURRENCY_SHOPIFY: 2,
      SYNC_CONCURRENCY_MAINTENANCE: 1,
      SYNC_BATCH_SIZE: 1000,
      SYNC_PAGE_CONCURRENCY: 4,
      SYNC_MAX_ATTEMPTS: 8,
      SYNC_BACKOFF_BASE: 2000,
      SYNC_DELETE_GUARD: 0.5,
      SYNC_ID_SCAN: 'auto',
      SYNC_STALL_TIMEOUT: 1_800_000,
      SYNC_HTTP_TIMEOUT: 30_000,
      SYNC_MAX_INLINE_RETRY_AFTER: 60_000,
      SYNC_LOG_RETENTION_MONTHS: 12,
      SYNC_PARTITION_MONTHS_AHEAD: 3,
      SYNC_SHUTDOWN_TIMEOUT: 30_000,
      SYNC_JOB_LOCK_DURATION: 30_000,
      LOG_LEVEL: 'info',
    });
  });

  test('every bad variable is listed in one ConfigError', () => {
    const err = configError({
      REDIS_URL: 'http://redis',
      PORT: '70000',
      SYNC_BATCH_SIZE: 'many',
      SYNC_STALL_TIMEOUT: '30 minutes',
      SYNC_ENCRYPTION_KEY: 'short',
      LOG_LEVEL: 'loud',
    });
    expect(err.code).toBe(ErrorCodes.CONFIG_INVALID);
    const names = err.issues.map((i) => i.split(':')[0]);
    expect(names.sort()).toEqual(
      [
        'DATABASE_URL',
        'REDIS_URL',
        'PORT',
        'SYNC_BATCH_SIZE',
        'SYNC_STALL_TIMEOUT',
        'SYNC_ENCRYPTION_KEY',
        'LOG_LEVEL',
      ].sort(),
    );
    expect(err.issues).toContain('DATABASE_URL: is required');
    expect(err.message).toMatch(/SYNC_STALL_TIMEOUT: SYNC_STALL_TIMEOUT must be a duration like 1800, 90s/);
    // The message never repeats a secret's value.
    expect(err.message).not.toContain('short');
  });

  test('durations: bare seconds, ms, s, m, h', () => {
    const cases: Record<string, number> = {
      '30m': 1_800_000,
      '90s': 90_000,
      '1800': 1_800_000,
      '250ms': 250,
      '1h': 3_600_000,
    };
    for (const [value, ms] of Object.entries(cases)) {
      expect(loadConfig({ DATABASE_URL, SYNC_STALL_TIMEOUT: value }).SYNC_STALL_TIMEOUT, value).toBe(ms);
    }
    expect(configError({ DATABASE_URL, SYNC_HTTP_TIMEOUT: '-5s' }).issues[0]).toMatch(/^SYNC_HTTP_TIMEOUT:/);
  });

  test('SYNC_DELETE_GUARD as a fraction or a percentage, within 0..1', () => {
    expect(loadConfig({ DATABASE_URL, SYNC_DELETE_GUARD: '50%' }).SYNC_DELETE_GUARD).toBe(0.5);
    expect(loadConfig({ DATABASE_URL, SYNC_DELETE_GUARD: '0.5' }).SYNC_DELETE_GUARD).toBe(0.5);
    expect(loadConfig({ DATABASE_URL, SYNC_DELETE_GUARD: '12.5%' }).SYNC_DELETE_GUARD).toBe(0.125);
    for (const bad of ['150%', '2', 'half']) {
      expect(configError({ DATABASE_URL, SYNC_DELETE_GUARD: bad }).issues[0]).toMatch(/^SYNC_DELETE_GUARD:/);
    }
  });

  test('empty strings count as unset', () => {
    const config = loadConfig({
      DATABASE_URL,
      PORT: '',
      SYNC_ENCRYPTION_KEY: '',
      BULL_BOARD_PASSWORD: '',
      SYNC_STALL_TIMEOUT: '',
    });
    expect(config.PORT).toBe(3000);
    expect(config.SYNC_ENCRYPTION_KEY).toBeUndefined();
    expect(config.BULL_BOARD_PASSWORD).toBeUndefined();
    expect(config.SYNC_STALL_TIMEOUT).toBe(1_800_000);
    expect(configError({ DATABASE_URL: '' }).issues).toEqual(['DATABASE_URL: is required']);
  });

  test('the encryption key: 64 hex characters or base64 of 32 bytes', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(loadConfig({ DATABASE_URL, SYNC_ENCRYPTION_KEY: bytes.toString('hex') }).SYNC_ENCRYPTION_KEY).toBe(
      bytes.toString('hex'),
    );
    expect(() => loadConfig({ DATABASE_URL, SYNC_ENCRYPTION_KEY: bytes.toString('base64') })).not.toThrow();
    expect(configError({ DATABASE_URL, SYNC_ENCRYPTION_KEY: 'ab'.repeat(16) }).issues[0]).toMatch(
      /^SYNC_ENCRYPTION_KEY: must be 32 bytes/,
    );
  });

  test('security variables: key ring, egress allow list, token policy, metrics access', () => {
    const hex = 'ab'.repeat(32);
    const config = loadConfig({
      DATABASE_URL,
      SYNC_ENCRYPTION_KEYS: `2026:${hex},2025:${'cd'.repeat(32)}`,
      SYNC_EGRESS_ALLOW: '10.0.0.0/8 odoo.corp.example,*.stores.example',
      SYNC_JWT_MAX_TTL: '1h',
      SYNC_JWT_AUDIENCE: 'a, b',
      METRICS_PORT: '9464',
    });
    expect(config).toMatchObject({
      SYNC_JWT_MAX_TTL: 3_600_000,
      SYNC_JWT_AUDIENCE: ['a', 'b'],
      METRICS_PORT: 9464,
    });
    const err = configError({
      DATABASE_URL,
      SYNC_ENCRYPTION_KEYS: `2026:${hex},2026:${hex},x y:${hex}`,
      SYNC_EGRESS_ALLOW: '10.0.0.0/99,http://odoo/',
      SYNC_JWT_MAX_TTL: '10s',
      SYNC_JWT_CLOCK_SKEW: '1h',
    });
    expect(err.issues.map((i) => i.split(':')[0]).sort()).toEqual([
      'SYNC_EGRESS_ALLOW',
      'SYNC_EGRESS_ALLOW',
      'SYNC_ENCRYPTION_KEYS',
      'SYNC_ENCRYPTION_KEYS',
      'SYNC_JWT_CLOCK_SKEW',
      'SYNC_JWT_MAX_TTL',
    ]);
    expect(err.message).not.toContain(hex);
  });

  test('rules between variables', () => {
    const hex = 'ab'.repeat(32);
    expect(
      configError({ DATABASE_URL, SYNC_ENCRYPTION_KEY: hex, SYNC_ENCRYPTION_KEYS: `k:${hex}` }).issues,
    ).toEqual([
      'SYNC_ENCRYPTION_KEYS: set it or SYNC_ENCRYPTION_KEY, not both (list the old key in SYNC_ENCRYPTION_KEYS)',
    ]);
    expect(configError({ DATABASE_URL, METRICS_USER: 'prom' }).issues).toEqual([
      'METRICS_USER: set it together with METRICS_PASSWORD, or neither',
    ]);
    expect(configError({ DATABASE_URL, METRICS_PORT: '3000' }).issues).toEqual([
      'METRICS_PORT: must differ from PORT',
    ]);
  });

  test('REDIS_CLUSTER_NODES: host:port seed nodes, and a QUEUE_PREFIX with a {hash tag}', () => {
    const config = loadConfig({
      DATABASE_URL,
      REDIS_CLUSTER_NODES: '127.0.0.2:7000, redis-b.invalid:7001 [::1]:7002',
    });
    expect(config.REDIS_CLUSTER_NODES).toEqual([
      { host: '127.0.0.2', port: 7000 },
      { host: 'redis-b.invalid', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(loadConfig({ DATABASE_URL }).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(configError({ DATABASE_URL, REDIS_CLUSTER_NODES: 'redis://a:6379' }).issues).toEqual([
      'REDIS_CLUSTER_NODES: "redis://a:6379" is not host:port',
    ]);
    expect(configError({ DATABASE_URL, REDIS_CLUSTER_NODES: 'a:70000' }).issues).toEqual([
      'REDIS_CLUSTER_NODES: "a:70000" is not host:port',
    ]);
    expect(configError({ DATABASE_URL, REDIS_CLUSTER_NODES: 'a:7000', QUEUE_PREFIX: 'sync' }).issues).toEqual(
      [
        'QUEUE_PREFIX: must hold a {hash tag} (e.g. {sync-worker}) with REDIS_CLUSTER_NODES, so each queue stays on one slot',
      ],
    );
  });

  test('API_RATE_LIMIT and its window', () => {
    const defaults = loadConfig({ DATABASE_URL });
    expect([defaults.API_RATE_LIMIT, defaults.API_RATE_LIMIT_WINDOW]).toEqual([600, 60_000]);
    expect(loadConfig({ DATABASE_URL, API_RATE_LIMIT: '0', API_RATE_LIMIT_WINDOW: '10s' })).toMatchObject({
      API_RATE_LIMIT: 0,
      API_RATE_LIMIT_WINDOW: 10_000,
    });
    expect(configError({ DATABASE_URL, API_RATE_LIMIT_WINDOW: '500ms' }).issues).toEqual([
      'API_RATE_LIMIT_WINDOW: must be at least 1s',
    ]);
  });

  test('requireConfig names the missing variable and why', () => {
    const config = loadConfig({ DATABASE_URL });
    expect(() => requireConfig(config, 'SYNC_JWT_SECRET', 'by the API')).toThrow(
      /SYNC_JWT_SECRET: is required by the API/,
    );
  });
});

describe('.env.example', () => {
  const lines = readFileSync(new URL('../.env.example', import.meta.url), 'utf8').split('\n');
  const entries = lines
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]);

  test('lists every variable of the schema, each with a comment above it', () => {
    expect(entries.map(([k]) => k).sort()).toEqual(Object.keys(envSchema.shape).sort());
    for (const [name] of entries) {
      const at = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(lines[at - 1], `comment above ${name}`).toMatch(/^# \S/);
    }
  });

  test('its values are the defaults and parse', () => {
    const env = Object.fromEntries(entries);
    const fromExample = loadConfig(env);
    expect(fromExample).toEqual(loadConfig({ DATABASE_URL: env.DATABASE_URL! }));
  });
});

describe('the CLI on a bad variable', () => {
  test('exits 2 and lists every bad variable', async () => {
    const result = await runCli(['migrate', '--json'], {
      DATABASE_URL: 'mysql://localhost/db',
      SYNC_BATCH_SIZE: '0',
    });
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details.issues.map((i: string) => i.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'SYNC_BATCH_SIZE',
    ]);

    const human = await runCli(['migrate'], { DATABASE_URL: DATABASE_URL, LOG_LEVEL: 'loud' });
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/invalid configuration:\n {2}- LOG_LEVEL: /);
  });
});
