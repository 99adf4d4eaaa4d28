import ipaddr from 'ipaddr.js';

/**
 * What kind of address an IP is, for the egress policy. Every class but
 * `public` is refused by default. The tables follow the IANA special-purpose
 * address registries (IPv4 and IPv6) and the cloud providers' metadata
 * endpoints; IPv6 forms that embed an IPv4 address (mapped, compatible, SIIT,
 * NAT64 well-known prefix) are judged by that IPv4 address.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'carrier-grade-nat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'tunnel'
  | 'cloud-metadata';

/** A parsed IP address (ipaddr.js), IPv4-mapped and other embedded forms not yet unwrapped. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

type Range = readonly [cidr: string, cls: AddressClass];

/**
 * Cloud metadata and platform endpoints: AWS IMDS (IPv4, IPv6), ECS task and
 * EKS pod identity agents, GCP/Azure/Oracle/DigitalOcean (169.254.169.254),
 * Azure WireServer (a public-range address), Alibaba, Tencent. Refused even
 * when a wider allowed CIDR covers them: only an allow entry naming the
 * address itself (/32, /128) opens one.
 */
const METADATA: readonly string[] = [
  '169.254.169.254',
  '169.254.170.2',
  '169.254.170.23',
  '169.254.0.23',
  '168.63.129.16',
  '100.100.100.200',
  'fd00:ec2::254',
  'fd00:ec2::23',
];

const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade-nat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];

const IPV6_RANGES: readonly Range[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'reserved'], // local-use NAT64 (RFC 8215)
  ['100::/64', 'reserved'], // discard-only
  ['2001:db8::/32', 'documentation'],
  ['2001::/32', 'tunnel'], // Teredo
  ['2001:2::/48', 'benchmarking'],
  ['2001::/23', 'reserved'], // IETF protocol assignments
  ['2002::/16', 'tunnel'], // 6to4
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'reserved'], // segment routing SIDs
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'], // deprecated site-local
  ['ff00::/8', 'multicast'],
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address to judge instead. */
const EMBEDS_IPV4: readonly string[] = [
  '::ffff:0:0/96', // IPv4-mapped
  '::/96', // IPv4-compatible (deprecated; after :: and ::1 above)
  '::ffff:0:0:0/96', // SIIT (RFC 6145)
  '64:ff9b::/96', // NAT64 well-known prefix (RFC 6052): reaches the embedded IPv4 address
];

const parseRanges = (ranges: readonly Range[]) =>
  ranges.map(([cidr, cls]) => ({ range: ipaddr.parseCIDR(cidr), cls }));
const v4Ranges = parseRanges(IPV4_RANGES);
const v6Ranges = parseRanges(IPV6_RANGES);
const embedding = EMBEDS_IPV4.map((cidr) => ipaddr.parseCIDR(cidr));
const metadata = METADATA.map((text) => ipaddr.parse(text).toNormalizedString());
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * Parses an IP address in any spelling a URL, a resolver or an operator may
 * use: dotted quad, the numeric and short forms WHATWG URL and inet_aton
 * accept (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`), IPv6 with or
 * without brackets and zone id. Undefined when it is not an IP address.
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
}

/**
 * The address an IPv6 one stands for when it embeds an IPv4 address
 * (`::ffff:127.0.0.1`, `::127.0.0.1`, `64:ff9b::7f00:1`), else itself.
 */
export function effectiveAddress(address: IpAddress): IpAddress {
  if (address.kind() === 'ipv4') return address;
  const v6 = address as ipaddr.IPv6;
  if (v6.toNormalizedString() === '0:0:0:0:0:0:0:0' || v6.toNormalizedString() === '0:0:0:0:0:0:0:1') {
    return v6;
  }
  if (embedding.some((range) => v6.match(range))) {
    const bytes = v6.toByteArray();
    return new ipaddr.IPv4(bytes.slice(12));
  }
  return v6;
}

/** True for the cloud metadata endpoints (judged after unwrapping embedded IPv4). */
export function isMetadataAddress(address: IpAddress): boolean {
  return metadata.includes(effectiveAddress(address).toNormalizedString());
}

/** The class of an address; `public` only for globally routable unicast. */
export function classifyAddress(input: IpAddress | string): AddressClass {
  const parsed = typeof input === 'string' ? parseIp(input) : input;
  if (!parsed) throw new TypeError('not an IP address');
  if (isMetadataAddress(parsed)) return 'cloud-metadata';
  const address = effectiveAddress(parsed);
  if (address.kind() === 'ipv4') {
    return v4Ranges.find(({ range }) => address.match(range))?.cls ?? 'public';
  }
  const v6 = address as ipaddr.IPv6;
  const found = v6Ranges.find(({ range }) => v6.match(range));
  if (found) return found.cls;
  return v6.match(GLOBAL_UNICAST) ? 'public' : 'reserved';
}
