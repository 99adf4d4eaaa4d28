import { describe, expect, test } from 'vitest';
import { classifyAddress, parseIp } from '../../src/egress/address-class.js';
import { EgressAllowSyntaxError, parseEgressAllow } from '../../src/egress/allow-list.js';
import { checkAddress, checkHost, EgressPolicy } from '../../src/egress/egress-policy.js';

// Data only: none of these addresses is ever connected to (tests talk to loopback alone).

/** The host WHATWG URL makes of a spelling, as the policy sees it. */
const hostOf = (spelling: string) => new URL(`http://${spelling}/`).hostname;

describe('classifyAddress: every refused class', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fec0::1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.255', 'carrier-grade-nat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['2001:2::1', 'benchmarking'],
    ['192.0.0.8', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['64:ff9b:1::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['2001::1', 'tunnel'],
    ['2002:c000:201::1', 'tunnel'],
    ['169.254.169.254', 'cloud-metadata'],
    ['169.254.170.2', 'cloud-metadata'],
    ['168.63.129.16', 'cloud-metadata'],
    ['100.100.100.200', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
    expect(checkAddress(address)).toEqual({ allowed: false, reason: cls });
  });

  test.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001::200e'])(
    '%s is public and allowed',
    (address) => {
      expect(classifyAddress(address)).toBe('public');
      expect(checkAddress(address)).toEqual({ allowed: true });
    },
  );
});

describe('every spelling of an address is judged as the address', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['127.1', 'loopback'],
    ['017700000001', 'loopback'],
    ['[::1]', 'loopback'],
    ['[0:0:0:0:0:0:0:1]', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['[::127.0.0.1]', 'loopback'],
    ['[64:ff9b::127.0.0.1]', 'loopback'],
    ['[::ffff:0:a00:1]', 'private'],
    ['[::ffff:169.254.169.254]', 'cloud-metadata'],
    ['[64:ff9b::a9fe:a9fe]', 'cloud-metadata'],
    ['0xa9fea9fe', 'cloud-metadata'],
    ['2852039166', 'cloud-metadata'],
    ['0251.0376.0251.0376', 'cloud-metadata'],
    ['10.1', 'private'],
    ['0', 'unspecified'],
  ])('the URL host %s is %s', (spelling, cls) => {
    const host = hostOf(spelling);
    expect(classifyAddress(host)).toBe(cls);
    expect(checkHost(host)).toMatchObject({ kind: 'denied', reason: cls });
  });

  test('inet_aton spellings a resolver may hand back parse too', () => {
    expect(parseIp('0x7f000001')?.toString()).toBe('127.0.0.1');
    expect(parseIp('2130706433')?.toString()).toBe('127.0.0.1');
    expect(parseIp('shop.example.com')).toBeUndefined();
  });

  test('a NAT64 address of a public IPv4 address is allowed', () => {
    expect(checkAddress('64:ff9b::5db8:d70e')).toEqual({ allowed: true });
  });
});

describe('host names', () => {
  test('cloud metadata names are refused, in any case and with a trailing dot', () => {
    for (const name of [
      'metadata.google.internal',
      'METADATA.Google.Internal.',
      'metadata',
      'metadata.goog',
    ]) {
      expect(checkHost(hostOf(name))).toEqual({ kind: 'denied', reason: 'metadata-host' });
    }
  });

  test('localhost and *.localhost resolve to loopback without DNS; .invalid never resolves', () => {
    expect(checkHost('localhost')).toMatchObject({ kind: 'local' });
    expect(checkHost('shop.localhost')).toMatchObject({ kind: 'local' });
    expect(checkHost('localhost.')).toMatchObject({ kind: 'local' });
    expect(checkHost('shop.invalid')).toEqual({ kind: 'unresolvable' });
    expect(checkHost('shop.example.com')).toEqual({ kind: 'resolve' });
  });
});

describe('SYNC_EGRESS_ALLOW', () => {
  test('a CIDR opens the addresses inside it, in every spelling; nothing else', () => {
    const allow = parseEgressAllow('127.0.0.1/32, 10.20.0.0/16 fd12::/16');
    expect(checkAddress('127.0.0.1', allow)).toEqual({ allowed: true });
    expect(checkAddress('::ffff:127.0.0.1', allow)).toEqual({ allowed: true });
    expect(checkHost(hostOf('0x7f000001'), allow)).toEqual({ kind: 'allowed' });
    expect(checkAddress('127.0.0.2', allow)).toEqual({ allowed: false, reason: 'loopback' });
    expect(checkAddress('::1', allow)).toEqual({ allowed: false, reason: 'loopback' });
    expect(checkAddress('10.20.3.4', allow)).toEqual({ allowed: true });
    expect(checkAddress('10.21.0.1', allow)).toEqual({ allowed: false, reason: 'private' });
    expect(checkAddress('fd12::1', allow)).toEqual({ allowed: true });
  });

  test('a metadata endpoint opens only by its own address, never by a wider range', () => {
    expect(checkAddress('169.254.169.254', parseEgressAllow('169.254.0.0/16'))).toEqual({
      allowed: false,
      reason: 'cloud-metadata',
    });
    expect(checkAddress('169.254.1.1', parseEgressAllow('169.254.0.0/16'))).toEqual({ allowed: true });
    expect(checkAddress('169.254.169.254', parseEgressAllow('169.254.169.254'))).toEqual({ allowed: true });
  });

  test('host names: exact and *. subdomains, normalised', () => {
    const allow = parseEgressAllow('Odoo.Corp.Example.,*.stores.example');
    expect(checkHost('odoo.corp.example', allow)).toEqual({ kind: 'allowed' });
    expect(checkHost('a.stores.example', allow)).toEqual({ kind: 'allowed' });
    expect(checkHost('stores.example', allow)).toEqual({ kind: 'resolve' });
    expect(checkHost('localhost', parseEgressAllow('localhost'))).toEqual({ kind: 'allowed' });
    expect(checkHost('metadata.google.internal', parseEgressAllow('metadata.google.internal'))).toEqual({
      kind: 'allowed',
    });
  });

  test('bad entries are each named', () => {
    try {
      parseEgressAllow('10.0.0.0/33,ok.example,http://x/,a..b');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EgressAllowSyntaxError);
      const issues = (err as EgressAllowSyntaxError).issues;
      expect(issues).toHaveLength(3);
      expect(issues.join('\n')).toMatch(/10\.0\.0\.0\/33/);
      expect(issues.join('\n')).toMatch(/http:\/\/x\//);
      expect(issues.join('\n')).toMatch(/a\.\.b/);
    }
  });
});

describe('EgressPolicy.resolve checks every address a name resolves to', () => {
  const lookup = (answers: Record<string, string[]>) => async (host: string) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  test('one refused address among public ones refuses the host (no rebinding through mixed answers)', async () => {
    const policy = new EgressPolicy(undefined, lookup({ 'mixed.test': ['93.184.215.14', '10.0.0.7'] }));
    await expect(policy.resolve('mixed.test')).rejects.toMatchObject({
      code: 'EGRESS_DENIED',
      details: { host: 'mixed.test', address: '10.0.0.7', reason: 'private' },
    });
  });

  test('a name resolving to loopback is refused unless the list opens the address or names the host', async () => {
    const answers = lookup({ 'evil.test': ['127.0.0.1'] });
    await expect(new EgressPolicy(undefined, answers).resolve('evil.test')).rejects.toMatchObject({
      code: 'EGRESS_DENIED',
    });
    await expect(
      new EgressPolicy(parseEgressAllow('127.0.0.1/32'), answers).resolve('evil.test'),
    ).resolves.toHaveLength(1);
    await expect(
      new EgressPolicy(parseEgressAllow('evil.test'), answers).resolve('evil.test'),
    ).resolves.toHaveLength(1);
  });

  test('checkUrl: refused → EGRESS_DENIED; unresolvable now → passes (the sync checks again)', async () => {
    const policy = new EgressPolicy(undefined, lookup({ 'public.test': ['93.184.215.14'] }));
    await expect(policy.checkUrl('http://public.test/')).resolves.toBeUndefined();
    await expect(policy.checkUrl('http://nowhere.test/')).resolves.toBeUndefined();
    await expect(policy.checkUrl('http://shop.invalid/')).resolves.toBeUndefined();
    for (const url of [
      'http://127.0.0.1/',
      'http://localhost:8080/',
      'http://0x7f000001/',
      'http://[::1]/',
    ]) {
      await expect(policy.checkUrl(url), url).rejects.toMatchObject({ code: 'EGRESS_DENIED' });
    }
  });
});
