import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { EgressDeniedError } from '../errors.js';
import {
  classifyAddress,
  isMetadataAddress,
  parseIp,
  type AddressClass,
  type IpAddress,
} from './address-class.js';
import { allowsAddress, allowsHost, emptyAllowList, type EgressAllowList } from './allow-list.js';

/**
 * The egress policy: which hosts a source request may reach. Pure checks
 * (`checkAddress`, `checkHost`) and the resolving step every connection goes
 * through (`EgressPolicy.resolve`, used by the dispatcher's `lookup`, so the
 * addresses checked are the addresses connected to: no DNS rebinding).
 */

export type DenyReason = AddressClass | 'metadata-host';

export type EgressVerdict = { allowed: true } | { allowed: false; reason: Exclude<DenyReason, 'public'> };

/** Host names of cloud metadata services, refused unless the allow list names them. */
const METADATA_HOSTS: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
]);

/** Pure: an address (any spelling) under the allow list. */
export function checkAddress(
  input: string | IpAddress,
  allow: EgressAllowList = emptyAllowList,
): EgressVerdict {
  const address = typeof input === 'string' ? parseIp(input) : input;
  if (!address) throw new TypeError('not an IP address');
  const cls = classifyAddress(address);
  if (cls === 'public') return { allowed: true };
  // A metadata endpoint opens only by its own address, never by a wider range.
  if (allowsAddress(allow, address, isMetadataAddress(address))) return { allowed: true };
  return { allowed: false, reason: cls };
}

/** What {@link checkHost} decides before any DNS query. */
export type HostDecision =
  | { kind: 'allowed' }
  | { kind: 'denied'; reason: Exclude<DenyReason, 'public'>; address?: string }
  /** Resolve these addresses without DNS (`localhost`, RFC 6761 §6.3), then check each. */
  | { kind: 'local'; addresses: LookupAddress[] }
  /** Never resolves (`.invalid`, RFC 6761 §6.4). */
  | { kind: 'unresolvable' }
  /** Ask DNS, then check each address. */
  | { kind: 'resolve' };

/**
 * Pure: the decision for a URL's host name (as WHATWG URL normalises it: IP
 * literals already in canonical form, IPv6 in brackets or not).
 */
export function checkHost(hostname: string, allow: EgressAllowList = emptyAllowList): HostDecision {
  const literal = parseIp(hostname);
  if (literal) {
    const verdict = checkAddress(literal, allow);
    return verdict.allowed
      ? { kind: 'allowed' }
      : { kind: 'denied', reason: verdict.reason, address: literal.toString() };
  }
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (allowsHost(allow, host)) return { kind: 'allowed' };
  if (METADATA_HOSTS.has(host)) return { kind: 'denied', reason: 'metadata-host' };
  const local = localAnswer(host);
  if (local) return local.length ? { kind: 'local', addresses: [...local] } : { kind: 'unresolvable' };
  return { kind: 'resolve' };
}

const LOCALHOST: readonly LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/**
 * Names answered without DNS (RFC 6761): `localhost` and `*.localhost` are
 * loopback, `*.invalid` never resolves (an empty answer). Undefined: ask DNS.
 */
function localAnswer(host: string): readonly LookupAddress[] | undefined {
  if (host === 'localhost' || host.endsWith('.localhost')) return LOCALHOST;
  if (host === 'invalid' || host.endsWith('.invalid')) return [];
  return undefined;
}

const DESCRIPTION: Record<Exclude<DenyReason, 'public'>, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique-local (private) IPv6 address',
  'carrier-grade-nat': 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  reserved: 'a reserved address',
  tunnel: 'a tunnelling (6to4/Teredo) address',
  'cloud-metadata': 'a cloud metadata endpoint',
  'metadata-host': 'a cloud metadata host name',
};

/** The EGRESS_DENIED error for a host (and the address that made it refused). */
export function egressDenied(
  host: string,
  reason: Exclude<DenyReason, 'public'>,
  address?: string,
): EgressDeniedError {
  const what =
    address && address !== host && `[${address}]` !== host
      ? `${host} resolves to ${address}, ${DESCRIPTION[reason]}`
      : `${host} is ${DESCRIPTION[reason]}`;
  return new EgressDeniedError(
    `egress denied: ${what}; sources are not fetched from internal addresses ` +
      '(an operator can open a CIDR or host name with SYNC_EGRESS_ALLOW)',
    { host, reason, ...(address ? { address } : {}) },
  );
}

/** Resolves a host name to every address (the system resolver: /etc/hosts, then DNS). */
export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

export const systemLookupAll: LookupAll = (hostname) => dnsLookup(hostname, { all: true, order: 'verbatim' });

/** `ENOTFOUND`, as the resolver reports a name that does not exist. */
function notFound(hostname: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  return err;
}

/** The callback `net.connect({ lookup })` passes. */
type NetLookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export class EgressPolicy {
  /**
   * @param allow what SYNC_EGRESS_ALLOW opens.
   * @param lookupAll the resolver. @defaultValue the system resolver
   */
  constructor(
    readonly allow: EgressAllowList = emptyAllowList,
    private readonly lookupAll: LookupAll = systemLookupAll,
  ) {}

  /** The refusal for an IP-literal host, or undefined (allowed, or not a literal). */
  refuseLiteral(hostname: string): EgressDeniedError | undefined {
    const literal = parseIp(hostname);
    if (!literal) return undefined;
    const verdict = checkAddress(literal, this.allow);
    return verdict.allowed ? undefined : egressDenied(hostname, verdict.reason, literal.toString());
  }

  /**
   * Every address of `hostname`, each checked; EGRESS_DENIED when the host or
   * any of its addresses is refused (a name allowed by the list is resolved
   * and not checked). Resolver errors (ENOTFOUND…) pass through.
   */
  async resolve(hostname: string): Promise<LookupAddress[]> {
    const decision = checkHost(hostname, this.allow);
    if (decision.kind === 'denied') throw egressDenied(hostname, decision.reason, decision.address);
    const literal = parseIp(hostname);
    if (literal) return [{ address: literal.toString(), family: literal.kind() === 'ipv4' ? 4 : 6 }];
    // A name the list allows is still answered locally when RFC 6761 says so (store.localhost).
    const local = localAnswer(hostname.toLowerCase().replace(/\.$/, ''));
    const addresses = local ? [...local] : await this.lookupAll(hostname);
    if (addresses.length === 0) throw notFound(hostname);
    if (decision.kind === 'allowed') return addresses;
    for (const { address } of addresses) {
      const verdict = checkAddress(address, this.allow);
      if (!verdict.allowed) throw egressDenied(hostname, verdict.reason, address);
    }
    return addresses;
  }

  /**
   * A `lookup` for `net.connect` / `tls.connect`: the addresses a socket is
   * opened to are the ones just checked.
   */
  readonly netLookup = (hostname: string, options: LookupOptions, callback: NetLookupCallback): void => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    this.resolve(hostname).then(
      (addresses) => {
        const usable =
          family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        const first = usable[0];
        if (!first) callback(notFound(hostname), '');
        else if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };

  /**
   * The check before a connection is stored: EGRESS_DENIED when its host is
   * refused or resolves (within `timeoutMs`) to a refused address. A host that
   * does not resolve now passes: every sync checks again at connect time.
   */
  async checkUrl(url: string, timeoutMs = 5_000): Promise<void> {
    const { hostname } = new URL(url);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const resolving = this.resolve(hostname);
    resolving.catch(() => undefined); // a late failure after the timeout is not unhandled
    try {
      await Promise.race([resolving, timeout]);
    } catch (err) {
      if (err instanceof EgressDeniedError) throw err;
      // ENOTFOUND, EAI_AGAIN…: not known now; the sync decides.
    } finally {
      clearTimeout(timer);
    }
  }
}
