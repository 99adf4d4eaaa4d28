import { sourceError, type SyncWorkerError } from '../../errors.js';
import {
  httpOptionsOf,
  SourceHttpClient,
  type FailureDescription,
  type HttpFailure,
  type JsonResponse,
} from '../http/source-http.js';
import type { AdapterContext } from '../types.js';
import { describeOdooException, odooError } from './faults.js';
import {
  parseOdooCredentials,
  parseOdooSettings,
  type OdooCredentials,
  type OdooSettings,
} from './settings.js';

/** A model method's arguments: `ids` (record methods such as `read`) and named parameters. */
export interface OdooCallParams {
  ids?: number[];
  [param: string]: unknown;
}

/** Every call sees archived records: an archived record is updated in the mirror, never deleted. */
export const ODOO_CONTEXT = { active_test: false } as const;

/**
 * Odoo's external API over SourceHttpClient, in one of two protocols:
 *
 * - `jsonrpc`: `open()` logs in with `common.authenticate` (a `false` answer is
 *   a failed login: SOURCE_AUTH_FAILED, no retry), then every call is
 *   `object.execute_kw(db, uid, password, model, method, [ids], {params, context})`;
 *   errors arrive with HTTP 200 in the body's `error` and are typed by
 *   `checkBody`.
 * - `json2`: `POST /json/2/<model>/<method>` with `Authorization: bearer <key>`
 *   and `X-Odoo-Database`, `{ids, context, ...params}` as the body; errors come
 *   with 4xx/5xx and the serialized exception, typed by its name.
 */
export class OdooClient {
  readonly root: string;
  readonly protocol: OdooSettings['protocol'];
  /** Credential values, for redaction wherever an error is worded. */
  readonly secrets: readonly string[];
  private readonly credentials: OdooCredentials;
  private readonly http: SourceHttpClient;
  private uid: number | undefined;
  private login: Promise<void> | undefined;
  private rpcId = 0;

  constructor(context: AdapterContext) {
    this.root = context.baseUrl.trim().replace(/\/+$/, '');
    this.credentials = parseOdooCredentials(context.credentials);
    this.protocol = parseOdooSettings(context.settings).protocol;
    this.secrets = [this.credentials.password];
    this.http = new SourceHttpClient({
      source: 'Odoo',
      rateBudget: context.rateBudget,
      ...httpOptionsOf(context),
      secrets: this.secrets,
      describeFailure: describeOdooFailure,
    });
  }

  /** Logs in (JSON-RPC) or checks the API key (JSON-2); a refused login fails at once, without retries. */
  async open(signal?: AbortSignal): Promise<void> {
    if (this.protocol === 'json2') {
      await this.call('res.users', 'context_get', {}, signal);
      return;
    }
    const { db, username, password } = this.credentials;
    const uid = await this.rpc(
      'common',
      'authenticate',
      [db, username, password, {}],
      'common.authenticate',
      signal,
    );
    if (typeof uid !== 'number' || uid <= 0) {
      throw sourceError({
        kind: 'auth',
        // No credential value in the message, not even the login or the database name.
        message:
          `Odoo ${this.root}: login refused (common.authenticate answered false): ` +
          'check the database name, the login and the password or API key',
        status: 200,
        details: { odooUid: uid ?? null },
      });
    }
    this.uid = uid;
  }

  /** `model.method(**params)` with `active_test: false`; the decoded result. */
  async call(model: string, method: string, params: OdooCallParams, signal?: AbortSignal): Promise<unknown> {
    const { ids, ...named } = params;
    const what = `${model}.${method}`;
    if (this.protocol === 'json2') {
      const url = `${this.root}/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
      const body = { ...(ids ? { ids } : {}), ...named, context: ODOO_CONTEXT };
      const response = await this.http.requestJson(
        () => ({
          method: 'POST',
          url,
          headers: {
            authorization: `bearer ${this.credentials.password}`,
            'x-odoo-database': this.credentials.db,
          },
          body,
        }),
        { signal },
      );
      return response.body;
    }
    if (this.uid === undefined) {
      // One login for concurrent first calls; a failed one is tried again by the next call.
      this.login ??= this.open(signal).finally(() => (this.login = undefined));
      await this.login;
    }
    const { db, password } = this.credentials;
    const args = [
      db,
      this.uid,
      password,
      model,
      method,
      ids ? [ids] : [],
      { ...named, context: ODOO_CONTEXT },
    ];
    return this.rpc('object', 'execute_kw', args, what, signal);
  }

  private async rpc(
    service: string,
    method: string,
    args: unknown[],
    what: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const url = `${this.root}/jsonrpc`;
    const response = await this.http.requestJson(
      () => ({
        method: 'POST',
        url,
        body: { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: ++this.rpcId },
      }),
      { signal, checkBody: (res) => jsonRpcError(what, res) },
    );
    return (response.body as { result?: unknown }).result;
  }
}

/** A JSON-RPC answer's `error` member as a typed error; a body that is no JSON-RPC answer is retryable. */
function jsonRpcError(what: string, res: JsonResponse): SyncWorkerError | undefined {
  const body = res.body as { result?: unknown; error?: unknown } | null;
  if (body && typeof body === 'object' && 'error' in body && body.error) {
    const error = body.error as {
      code?: unknown;
      message?: unknown;
      data?: { name?: unknown; message?: unknown };
    };
    const message =
      typeof error.data?.message === 'string'
        ? error.data.message
        : typeof error.message === 'string'
          ? error.message
          : JSON.stringify(error).slice(0, 200);
    const name = typeof error.data?.name === 'string' ? error.data.name : 'unknown';
    return odooError(what, { name, message, code: error.code }, res.status);
  }
  if (body && typeof body === 'object' && 'result' in body) return undefined;
  return sourceError({
    kind: 'bad_response',
    message: `Odoo ${what}: the answer is no JSON-RPC result`,
    status: res.status,
  });
}

/** JSON-2's error body `{name, message, arguments, context, debug}`: the exception's name classifies it. */
export function describeOdooFailure(failure: HttpFailure): FailureDescription | undefined {
  const body = failure.json as { name?: unknown; message?: unknown } | undefined;
  if (!body || typeof body !== 'object' || typeof body.name !== 'string') return undefined;
  const { kind, text } = describeOdooException(
    body.name,
    typeof body.message === 'string' ? body.message : '',
  );
  return { message: text, kind, details: { odooError: body.name } };
}
