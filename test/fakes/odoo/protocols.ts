import type { FakeOdooDatabase } from './database.js';
import { accessDenied, OdooFault, operationalError } from './faults.js';
import { callModel, hasMethod, type ModelCall } from './methods.js';

/**
 * The two wire protocols over one database.
 *
 * - JSON-RPC (`POST /jsonrpc`): `common.authenticate` answers the uid or
 *   `false`; `object.execute_kw(db, uid, password, model, method, args,
 *   kwargs)` checks the password (or API key) on every call. Every error is
 *   HTTP 200 with `error: {code: 200, message: "Odoo Server Error", data}`.
 * - JSON-2 (`POST /json/2/<model>/<method>`, Odoo 19): `Authorization: bearer
 *   <api key>`, `X-Odoo-Database`, named arguments in the body (`ids`,
 *   `context` and the method's parameters); the bare result on success,
 *   errors with real HTTP statuses and the serialized exception as the body.
 */

export interface OdooAuth {
  db: string;
  login: string;
  password: string;
  apiKey: string;
  uid: number;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the server saw, for the request log and for faults aimed at model calls. */
export interface ParsedCall {
  protocol: 'jsonrpc' | 'json2' | 'other';
  service?: string;
  method?: string;
  model?: string;
  call?: ModelCall;
  id?: unknown;
}

export function parseJsonRpc(body: unknown): ParsedCall {
  const b = (body ?? {}) as {
    id?: unknown;
    params?: { service?: unknown; method?: unknown; args?: unknown };
  };
  const params = b.params ?? {};
  const service = typeof params.service === 'string' ? params.service : undefined;
  const method = typeof params.method === 'string' ? params.method : undefined;
  const args = Array.isArray(params.args) ? params.args : [];
  const parsed: ParsedCall = { protocol: 'jsonrpc', id: b.id ?? null };
  if (service !== undefined) parsed.service = service;
  if (method !== undefined) parsed.method = method;
  if (service === 'object' && method === 'execute_kw') {
    const [, , , model, modelMethod, callArgs, kwargs] = args as unknown[];
    const kw = { ...((kwargs ?? {}) as Record<string, unknown>) };
    const context = (kw.context ?? {}) as Record<string, unknown>;
    delete kw.context;
    parsed.model = String(model);
    parsed.call = {
      model: String(model),
      method: String(modelMethod),
      args: Array.isArray(callArgs) ? callArgs : [],
      kwargs: kw,
      context,
    };
  }
  return parsed;
}

export function parseJson2(model: string, method: string, body: unknown): ParsedCall {
  const params = { ...((body ?? {}) as Record<string, unknown>) };
  const context = (params.context ?? {}) as Record<string, unknown>;
  delete params.context;
  const ids = params.ids;
  delete params.ids;
  return {
    protocol: 'json2',
    model,
    method,
    call: { model, method, args: ids === undefined ? [] : [ids], kwargs: params, context },
  };
}

export function answerJsonRpc(
  db: FakeOdooDatabase,
  auth: OdooAuth,
  parsed: ParsedCall,
  body: unknown,
): Answer {
  const id = parsed.id ?? null;
  try {
    return { status: 200, body: { jsonrpc: '2.0', id, result: jsonRpcResult(db, auth, parsed, body) } };
  } catch (err) {
    const fault = err instanceof OdooFault ? err : new OdooFault('builtins.Exception', String(err), 500);
    return {
      status: 200,
      body: {
        jsonrpc: '2.0',
        id,
        error: { code: 200, message: 'Odoo Server Error', data: fault.serialize() },
      },
    };
  }
}

function jsonRpcResult(db: FakeOdooDatabase, auth: OdooAuth, parsed: ParsedCall, body: unknown): unknown {
  const args = ((body as { params?: { args?: unknown[] } }).params?.args ?? []) as unknown[];
  if (parsed.service === 'common') {
    if (parsed.method === 'version') {
      return {
        server_version: '18.0',
        server_version_info: [18, 0, 0, 'final', 0, ''],
        server_serie: '18.0',
        protocol_version: 1,
      };
    }
    if (parsed.method === 'authenticate' || parsed.method === 'login') {
      const [dbName, login, password] = args;
      checkDatabase(auth, dbName);
      return login === auth.login && (password === auth.password || password === auth.apiKey)
        ? auth.uid
        : false;
    }
  }
  if (parsed.service === 'object' && parsed.call) {
    const [dbName, uid, password] = args;
    checkDatabase(auth, dbName);
    if (uid !== auth.uid || (password !== auth.password && password !== auth.apiKey)) throw accessDenied();
    return callModel(db, parsed.call);
  }
  throw new OdooFault('builtins.KeyError', `'${String(parsed.service)}.${String(parsed.method)}'`, 500);
}

/** A database name that does not exist fails in psycopg2 when the registry loads, as on a real server. */
function checkDatabase(auth: OdooAuth, name: unknown): void {
  if (name !== auth.db) {
    throw operationalError(
      `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${String(name)}" does not exist`,
    );
  }
}

export function answerJson2(
  db: FakeOdooDatabase,
  auth: OdooAuth,
  parsed: ParsedCall,
  headers: Record<string, string | string[] | undefined>,
): Answer {
  const bearer = /^bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''));
  if (!bearer || bearer[1]!.trim() !== auth.apiKey) return werkzeug(401, 'Unauthorized', 'Invalid apikey');
  const database = headers['x-odoo-database'];
  if (database !== undefined && database !== auth.db) {
    return werkzeug(404, 'NotFound', `database ${JSON.stringify(database)} not found`);
  }
  const call = parsed.call!;
  if (!db.installed(call.model)) return werkzeug(404, 'NotFound', `the model '${call.model}' does not exist`);
  if (!hasMethod(call.method)) {
    return werkzeug(404, 'NotFound', `the model '${call.model}' does not have a '${call.method}' method`);
  }
  try {
    return { status: 200, body: callModel(db, call) };
  } catch (err) {
    if (err instanceof OdooFault && err.pyName === 'builtins.TypeError') {
      // The controller binds the body to the method's signature before calling it.
      return werkzeug(422, 'UnprocessableEntity', err.message);
    }
    const fault = err instanceof OdooFault ? err : new OdooFault('builtins.Exception', String(err), 500);
    return { status: fault.httpStatus, body: fault.serialize(call.context) };
  }
}

function werkzeug(status: number, cls: string, message: string): Answer {
  return { status, body: new OdooFault(`werkzeug.exceptions.${cls}`, message, status).serialize() };
}
