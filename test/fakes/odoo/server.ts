import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OdooDataGenerator } from './data.js';
import { seedOdoo, type FakeOdooSeedOptions } from './seed.js';
import { FakeOdooDatabase } from './database.js';
import {
  answerJson2,
  answerJsonRpc,
  parseJson2,
  parseJsonRpc,
  type Answer,
  type OdooAuth,
  type ParsedCall,
} from './protocols.js';
import {
  appliesTo,
  htmlPage,
  stormAnswer,
  troubleAnswer,
  troubleName,
  type OdooTrouble,
  type ProxyStormOptions,
} from './trouble.js';

export type { OdooTrouble, ProxyStormOptions } from './trouble.js';
export type { FakeOdooSeedOptions } from './seed.js';

/**
 * A fake Odoo 18/19 server on 127.0.0.1, faithful to
 * /work/shared/API_CONTRACTS.md §Odoo: JSON-RPC and JSON-2 over one
 * database, Odoo's value shapes and errors, plus a "proxy" in front that
 * answers 429/502/503/504 when told to, and hooks to change the data while a
 * client walks it. Every request is counted and logged.
 */

export interface FakeOdooRequest {
  /** 1-based arrival number. */
  n: number;
  /** Arrival time (ms since the epoch). */
  at: number;
  protocol: ParsedCall['protocol'];
  service?: string;
  model?: string;
  method?: string;
  /** The method's positional arguments and keyword arguments (credentials never logged). */
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

export interface FakeOdooRequestLog extends FakeOdooRequest {
  status: number;
  /** The Python name of the error answered, if any. */
  error?: string;
  trouble?: string;
  /** The server refused the credentials (a failed login, AccessDenied, an invalid API key). */
  authRefused?: true;
}

/** Behaviour tests may change while the server runs (`server.behaviour.x = …`). */
export interface FakeOdooBehaviour {
  /** Delay before every answer. @defaultValue 0 */
  latencyMs?: number;
  proxyStorm?: ProxyStormOptions;
  /** Called (and awaited) on every request before it is answered. */
  onRequest?: (request: FakeOdooRequest) => void | Promise<void>;
}

export interface FakeOdooOptions extends FakeOdooSeedOptions, FakeOdooBehaviour {
  db?: string;
  login?: string;
  password?: string;
  apiKey?: string;
}

export interface FakeOdooServer {
  /** The server root, e.g. `http://127.0.0.1:40123`. */
  url: string;
  auth: Readonly<OdooAuth>;
  db: FakeOdooDatabase;
  data: OdooDataGenerator;
  requests: FakeOdooRequestLog[];
  readonly requestCount: number;
  behaviour: FakeOdooBehaviour;
  /** The next `count` requests (model calls for faults) meet `trouble`. */
  failNext(count: number, trouble: OdooTrouble): void;
  /** `baseUrl`, `credentials` ({ db, username, password }) and `settings` for a connection to this server. */
  connection(settings?: Record<string, unknown>): {
    baseUrl: string;
    credentials: Record<string, string>;
    settings: Record<string, unknown>;
  };
  close(): Promise<void>;
}

export async function startFakeOdoo(options: FakeOdooOptions = {}): Promise<FakeOdooServer> {
  const db = new FakeOdooDatabase(options);
  const data = new OdooDataGenerator(db, options.seed ?? 1, { contacts: options.contacts ?? true });
  seedOdoo(db, data, options);
  const auth: OdooAuth = {
    db: options.db ?? 'odoo_prod',
    login: options.login ?? 'sync-bot@example.com',
    password: options.password ?? 'odoo-password-5b1e9c',
    apiKey: options.apiKey ?? '8d3f6a1c0b9e4d7f2a5c8e1b4d7f0a3c6e9b2d5f',
    uid: 2,
  };
  const behaviour: FakeOdooBehaviour = {
    latencyMs: options.latencyMs,
    proxyStorm: options.proxyStorm,
    onRequest: options.onRequest,
  };
  const requests: FakeOdooRequestLog[] = [];
  const queued: OdooTrouble[] = [];
  const hanging = new Set<ReturnType<typeof setTimeout>>();
  let count = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const n = ++count;
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return send(res, { status: 400, body: 'could not parse the body as json' });
    }
    const json2 = /^\/json\/2\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    const parsed: ParsedCall =
      req.method === 'POST' && url.pathname === '/jsonrpc'
        ? parseJsonRpc(body)
        : req.method === 'POST' && json2
          ? parseJson2(decodeURIComponent(json2[1]!), decodeURIComponent(json2[2]!), body)
          : { protocol: 'other' };
    const request: FakeOdooRequest = {
      n,
      at,
      protocol: parsed.protocol,
      ...(parsed.service ? { service: parsed.service } : {}),
      ...(parsed.call
        ? {
            model: parsed.call.model,
            method: parsed.call.method,
            args: parsed.call.args,
            kwargs: parsed.call.kwargs,
            context: parsed.call.context,
          }
        : parsed.method
          ? { method: parsed.method }
          : {}),
    };
    await behaviour.onRequest?.(request);
    if (behaviour.latencyMs) await delay(behaviour.latencyMs, hanging);

    let trouble: string | undefined;
    let answer: Answer | undefined;
    const next = queued[0];
    if (next && appliesTo(next, parsed)) {
      queued.shift();
      trouble = troubleName(next);
      if (next.kind === 'hang') await delay(next.ms, hanging);
      answer = troubleAnswer(next, parsed);
    }
    if (!trouble) {
      const storm = stormAnswer(behaviour.proxyStorm, n);
      if (storm) [answer, trouble] = [storm.answer, storm.name];
    }
    answer ??=
      parsed.protocol === 'jsonrpc'
        ? answerJsonRpc(db, auth, parsed, body)
        : parsed.protocol === 'json2'
          ? answerJson2(db, auth, parsed, req.headers)
          : {
              status: 404,
              body: htmlPage(404, 'Not Found'),
              headers: { 'content-type': 'text/html; charset=utf-8' },
            };
    requests.push({
      ...request,
      status: answer.status,
      ...errorName(answer),
      ...(trouble ? { trouble } : {}),
      ...(refusedLogin(parsed, answer) ? { authRefused: true } : {}),
    });
    send(res, answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      send(res, { status: 500, body: htmlPage(500, `fake crashed: ${String(err)}`) }),
    );
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: root,
    auth,
    db,
    data,
    requests,
    get requestCount() {
      return count;
    },
    behaviour,
    failNext(n, trouble) {
      for (let i = 0; i < n; i++) queued.push(trouble);
    },
    connection: (settings = {}) => ({
      baseUrl: root,
      credentials: {
        db: auth.db,
        username: auth.login,
        password: settings.protocol === 'json2' ? auth.apiKey : auth.password,
      },
      settings,
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of hanging) clearTimeout(timer);
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A login the server refused: `authenticate` → false, AccessDenied, or JSON-2's 401. */
function refusedLogin(parsed: ParsedCall, answer: Answer): boolean {
  if (answer.status === 401) return true;
  const body = answer.body as { result?: unknown; error?: { data?: { name?: string } } } | null;
  if (!body || typeof body !== 'object') return false;
  if (parsed.method === 'authenticate' && body.result === false) return true;
  return body.error?.data?.name === 'odoo.exceptions.AccessDenied';
}

function errorName(answer: Answer): { error?: string } {
  const body = answer.body as { error?: { data?: { name?: string } }; name?: string } | null;
  const name = body && typeof body === 'object' ? (body.error?.data?.name ?? body.name) : undefined;
  return name ? { error: name } : {};
}

function send(res: ServerResponse, answer: Answer): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type':
      typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...answer.headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function delay(ms: number, timers: Set<ReturnType<typeof setTimeout>>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
