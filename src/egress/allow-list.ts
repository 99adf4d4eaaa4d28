import ipaddr from 'ipaddr.js';
import { effectiveAddress, parseIp, type IpAddress } from './address-class.js';

/**
 * `SYNC_EGRESS_ALLOW`: what an operator opens despite the egress policy.
 * Entries are separated by commas or spaces:
 * - a CIDR (`10.20.0.0/16`, `fd12::/48`) or one address (`127.0.0.1`, `::1`):
 *   any host whose addresses all fall inside is reached;
 * - a host name (`odoo.corp.example`): that host is reached whatever it
 *   resolves to; `*.corp.example` covers its subdomains (not itself).
 */
export interface EgressAllowList {
  readonly cidrs: readonly (readonly [IpAddress, number])[];
  readonly hosts: ReadonlySet<string>;
  /** `.corp.example` for `*.corp.example`. */
  readonly suffixes: readonly string[];
}

export const emptyAllowList: EgressAllowList = { cidrs: [], hosts: new Set(), suffixes: [] };

/** Thrown by {@link parseEgressAllow}; one message per bad entry. */
export class EgressAllowSyntaxError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('; '));
  }
}

/**
 * A host name as the policy compares it: lower case, IDN in punycode (as
 * WHATWG URL writes it), no trailing dot. Undefined when it is not a host.
 */
export function normalizeHostname(name: string): string | undefined {
  if (!name || /[\s/:@?#\\%]/.test(name)) return undefined;
  try {
    return new URL(`http://${name}/`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** Parses SYNC_EGRESS_ALLOW; throws EgressAllowSyntaxError naming each bad entry. */
export function parseEgressAllow(value: string | undefined): EgressAllowList {
  const cidrs: [IpAddress, number][] = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const issues: string[] = [];
  for (const entry of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
    if (entry.includes('/')) {
      try {
        const [address, bits] = ipaddr.parseCIDR(entry);
        cidrs.push([address, bits]);
      } catch {
        issues.push(`"${entry}" is not a CIDR (e.g. 10.0.0.0/8, fd00::/8)`);
      }
      continue;
    }
    const ip = parseIp(entry);
    if (ip) {
      cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
      continue;
    }
    const wildcard = entry.startsWith('*.');
    const host = normalizeHostname(wildcard ? entry.slice(2) : entry);
    if (!host || !/^[a-z0-9.-]+$/.test(host) || host.startsWith('.') || host.includes('..')) {
      issues.push(`"${entry}" is neither a CIDR, an IP address nor a host name`);
      continue;
    }
    if (wildcard) suffixes.push(`.${host}`);
    else hosts.add(host);
  }
  if (issues.length) throw new EgressAllowSyntaxError(issues);
  return { cidrs, hosts, suffixes };
}

/** True when the allow list names this host (exactly, or under a `*.` entry). */
export function allowsHost(allow: EgressAllowList, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allow.hosts.has(host) || allow.suffixes.some((suffix) => host.endsWith(suffix));
}

/**
 * True when an allowed CIDR holds the address (an IPv4 address also in its
 * mapped IPv6 spellings). `exactOnly`: only a single-address entry counts
 * (cloud metadata endpoints are never opened by a wider range).
 */
export function allowsAddress(allow: EgressAllowList, address: IpAddress, exactOnly = false): boolean {
  const candidates = [address, effectiveAddress(address)];
  return allow.cidrs.some(([range, bits]) => {
    if (exactOnly && bits !== (range.kind() === 'ipv4' ? 32 : 128)) return false;
    return candidates.some((candidate) => candidate.kind() === range.kind() && candidate.match(range, bits));
  });
}
