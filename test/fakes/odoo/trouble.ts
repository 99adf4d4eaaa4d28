import {
  accessError,
  type OdooFault,
  operationalError,
  serializationFailure,
  userError,
  validationError,
  valueError,
} from './faults.js';
import type { Answer, ParsedCall } from './protocols.js';

/**
 * What goes wrong in front of and inside an Odoo server, on demand: a proxy
 * answering 429/502/503/504 (HTML, Retry-After on 429/503), a 200 page that is
 * no JSON (a captive portal, a maintenance page), an Odoo exception on a model
 * call (as each protocol carries it), a request left hanging; and lasting
 * storms (every N-th request rate-limited, a share answered 502).
 */

export type OdooTrouble =
  | { kind: 'http'; status: 429 | 502 | 503 | 504; retryAfterSeconds?: number }
  | { kind: 'fault'; fault: 'serialization' | 'operational' | 'access' | 'validation' | 'user' | 'value' }
  | { kind: 'bad-body' }
  | { kind: 'hang'; ms: number };

export interface ProxyStormOptions {
  /** Every `every`-th request (and the `burst − 1` after it) is refused by the proxy. */
  every: number;
  /** @defaultValue 1 */
  burst?: number;
  /** @defaultValue 429 */
  status?: 429 | 502 | 503 | 504;
  /** Sent with 429 and 503. @defaultValue 1 */
  retryAfterSeconds?: number;
  /** Share of the other requests answered 502, evenly spread (every 10th at 0.1). @defaultValue 0 */
  failureRate?: number;
}

const FAULTS: Record<Extract<OdooTrouble, { kind: 'fault' }>['fault'], () => OdooFault> = {
  serialization: serializationFailure,
  operational: () => operationalError('terminating connection due to administrator command'),
  access: () => accessError("You are not allowed to access 'Contact' (res.partner) records."),
  validation: () => validationError('The operation cannot be completed: a constraint is violated.'),
  user: () => userError('The operation cannot be completed.'),
  value: () => valueError("Invalid field res.partner.x_missing in leaf ('x_missing', '=', 1)"),
};

/** A queued trouble applies to this request (faults wait for a model call). */
export function appliesTo(trouble: OdooTrouble, parsed: ParsedCall): boolean {
  return trouble.kind !== 'fault' || parsed.call !== undefined;
}

/** The answer of a queued trouble (undefined for a hang, which then lets the server answer). */
export function troubleAnswer(trouble: OdooTrouble, parsed: ParsedCall): Answer | undefined {
  switch (trouble.kind) {
    case 'http':
      return proxyPage(trouble.status, trouble.retryAfterSeconds);
    case 'fault':
      return faultAnswer(parsed, FAULTS[trouble.fault]());
    case 'bad-body':
      return {
        status: 200,
        body: htmlPage(200, 'Maintenance'),
        headers: { 'content-type': 'text/html; charset=utf-8' },
      };
    case 'hang':
      return undefined;
  }
}

export function troubleName(trouble: OdooTrouble): string {
  if (trouble.kind === 'http') return `http-${trouble.status}`;
  if (trouble.kind === 'fault') return trouble.fault;
  return trouble.kind;
}

/** The storm's answer to request `n`, if it is one of the refused. */
export function stormAnswer(
  storm: ProxyStormOptions | undefined,
  n: number,
): { answer: Answer; name: string } | undefined {
  if (!storm) return undefined;
  if (n % storm.every < (storm.burst ?? 1)) {
    return { answer: proxyPage(storm.status ?? 429, storm.retryAfterSeconds ?? 1), name: 'proxy-storm' };
  }
  // Evenly spread: request n fails when ⌊n·rate⌋ steps up (every 10th at 10 %).
  const rate = storm.failureRate ?? 0;
  if (Math.floor(n * rate) > Math.floor((n - 1) * rate))
    return { answer: proxyPage(502), name: 'proxy-failure' };
  return undefined;
}

/** A fault as each protocol carries it: HTTP 200 + `error` (JSON-RPC), its own status (JSON-2). */
function faultAnswer(parsed: ParsedCall, fault: OdooFault): Answer {
  if (parsed.protocol === 'json2') return { status: fault.httpStatus, body: fault.serialize() };
  return {
    status: 200,
    body: {
      jsonrpc: '2.0',
      id: parsed.id ?? null,
      error: { code: 200, message: 'Odoo Server Error', data: fault.serialize() },
    },
  };
}

function proxyPage(status: 429 | 502 | 503 | 504, retryAfterSeconds?: number): Answer {
  const titles = {
    429: 'Too Many Requests',
    502: 'Bad Gateway',
    503: 'Service Temporarily Unavailable',
    504: 'Gateway Time-out',
  };
  const retry = (status === 429 || status === 503) && retryAfterSeconds !== undefined;
  return {
    status,
    body: htmlPage(status, titles[status]),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...(retry ? { 'retry-after': String(retryAfterSeconds) } : {}),
    },
  };
}

export function htmlPage(status: number, title: string): string {
  return `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
