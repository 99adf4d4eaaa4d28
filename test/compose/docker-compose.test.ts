import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';

/**
 * No Docker engine runs in CI, so the compose file is validated with
 * `docker-compose config` (Debian package `docker-compose`, installed by
 * .ci/run) and its normalised output is checked for what production needs.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

function compose(args: string[], env: Record<string, string> = {}, files = ['docker-compose.yml']) {
  const result = spawnSync('docker-compose', [...files.flatMap((f) => ['-f', f]), ...args], {
    cwd: root,
    encoding: 'utf8',
    // Only PATH: variables of the test runner must not change the defaults checked here.
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'docker-compose is not installed: `apt-get update && apt-get install -y docker-compose` ' +
        '(.ci/run installs it); this test validates docker-compose.yml and must not be skipped',
    );
  }
  return result;
}

/** The lines of one `services.<name>` block of `docker-compose config` output (2-space YAML). */
function service(yaml: string, name: string): string[] {
  const lines = yaml.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  expect(start, `service ${name} in docker-compose config output`).toBeGreaterThan(-1);
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('    ')) break;
    block.push(line.slice(4));
  }
  return block;
}

/** The child lines of `key:` inside a block (one indentation level deeper, de-indented). */
function child(block: string[], key: string): string[] {
  const start = block.indexOf(`${key}:`);
  expect(start, `${key} in ${block.join('\n')}`).toBeGreaterThan(-1);
  const out: string[] = [];
  for (const line of block.slice(start + 1)) {
    if (!line.startsWith('  ') && !line.startsWith('- ')) break;
    out.push(line.startsWith('  ') ? line.slice(2) : line);
  }
  return out;
}

/** `KEY: value` lines → an object (scalars only, YAML quotes removed). */
function mapping(lines: string[]): Record<string, string> {
  const unquote = (v: string) =>
    v.startsWith("'") ? v.slice(1, -1).replace(/''/g, "'") : v.startsWith('"') ? JSON.parse(v) : v;
  return Object.fromEntries(
    lines.map((l) => /^([A-Za-z_][\w]*): (.*)$/.exec(l)).flatMap((m) => (m ? [[m[1]!, unquote(m[2]!)]] : [])),
  );
}

describe('docker-compose.yml', () => {
  test('docker-compose config -q accepts it', () => {
    const result = compose(['config', '-q']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  const config = () => {
    const result = compose(['config']);
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };

  test('redis never evicts keys and persists with AOF; postgres and redis have health checks', () => {
    const yaml = config();
    const redis = service(yaml, 'redis');
    expect(child(redis, 'command')).toEqual([
      '- redis-server',
      '- --maxmemory-policy',
      '- noeviction',
      '- --appendonly',
      '- "yes"',
    ]);
    expect(redis).toContain('image: redis:7');
    expect(child(redis, 'healthcheck').join('\n')).toContain('redis-cli');
    const postgres = service(yaml, 'postgres');
    expect(postgres).toContain('image: postgres:16');
    expect(child(postgres, 'healthcheck').join('\n')).toContain('pg_isready');
  });

  test('migrate runs once Postgres is healthy; the app starts after migrate succeeded and Redis is healthy', () => {
    const yaml = config();
    const migrate = service(yaml, 'migrate');
    expect(child(migrate, 'command')).toEqual(['- migrate']);
    expect(child(migrate, 'depends_on')).toEqual(['postgres:', '  condition: service_healthy']);

    const app = service(yaml, 'app');
    // `docker compose up` shows the demo; the production override runs plain `start` (below).
    expect(child(app, 'command')).toEqual(['- start', '- --demo']);
    const dependsOn = child(app, 'depends_on').join('\n');
    expect(dependsOn).toContain('migrate:\n  condition: service_completed_successfully');
    expect(dependsOn).toContain('redis:\n  condition: service_healthy');
    expect(child(app, 'ports').join('\n')).toMatch(/target: 3000/);
    // One image for both roles.
    expect(app.find((l) => l.startsWith('image:'))).toBe(migrate.find((l) => l.startsWith('image:')));
  });

  test("the app's default environment passes the app's own configuration schema", () => {
    const env = mapping(child(service(config(), 'app'), 'environment'));
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'SYNC_ENCRYPTION_KEY', 'SYNC_JWT_SECRET']) {
      expect(env[name], name).toBeTruthy();
    }
    expect(env.BULL_BOARD_USER).toBeTruthy();
    expect(env.BULL_BOARD_PASSWORD).toBeTruthy();
    expect(() => loadConfig(env)).not.toThrow();
  });

  test('the production override runs the same app without the demo, and validates', () => {
    const files = ['docker-compose.yml', 'docker-compose.production.yml'];
    const quiet = compose(['config', '-q'], {}, files);
    expect(quiet.stderr).toBe('');
    expect(quiet.status).toBe(0);
    const result = compose(['config'], {}, files);
    expect(result.status, result.stderr).toBe(0);
    const app = service(result.stdout, 'app');
    expect(child(app, 'command')).toEqual(['- start']);
    // Everything else is the default file's.
    const demo = service(config(), 'app');
    const withoutCommand = (lines: string[]) => {
      const at = lines.indexOf('command:');
      const end = lines.findIndex((l, i) => i > at && !l.startsWith('- '));
      return [...lines.slice(0, at), ...lines.slice(end)];
    };
    expect(withoutCommand(app)).toEqual(withoutCommand(demo));
  });

  test('secrets come from the environment when set', () => {
    const key = 'ab'.repeat(32);
    const result = compose(['config'], { SYNC_ENCRYPTION_KEY: key, BULL_BOARD_PASSWORD: 'a-real-password' });
    expect(result.status, result.stderr).toBe(0);
    const env = mapping(child(service(result.stdout, 'app'), 'environment'));
    expect(env.SYNC_ENCRYPTION_KEY).toBe(key);
    expect(env.BULL_BOARD_PASSWORD).toBe('a-real-password');
  });

  test("the API logs in as the authenticator, whose role and password the postgres volume's init script makes", () => {
    const result = compose(['config'], { API_DB_PASSWORD: 'api-pass' });
    expect(result.status, result.stderr).toBe(0);
    const env = mapping(child(service(result.stdout, 'app'), 'environment'));
    const api = new URL(env.API_DATABASE_URL!);
    expect([api.username, api.password, api.host]).toEqual([
      'sync_worker_authenticator',
      'api-pass',
      'postgres:5432',
    ]);
    expect(api.pathname).toBe(new URL(env.DATABASE_URL!).pathname);
    const postgres = service(result.stdout, 'postgres');
    expect(mapping(child(postgres, 'environment')).API_DB_PASSWORD).toBe('api-pass');
    expect(child(postgres, 'volumes')).toContainEqual(
      expect.stringMatching(/\/docker\/postgres-init:\/docker-entrypoint-initdb\.d:ro$/),
    );
    const init = readFileSync(
      path.join(root, 'docker/postgres-init/10-sync-worker-authenticator.sh'),
      'utf8',
    );
    expect(init).toContain("CREATE ROLE sync_worker_authenticator LOGIN NOINHERIT PASSWORD :'password';");
    expect(init).toContain('-v password="$API_DB_PASSWORD"');
  });
});
