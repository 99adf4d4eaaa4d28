import { describe, expect, test } from 'vitest';
import { parseNewConnection } from '../../src/connections/connection-schema.js';
import { ValidationError } from '../../src/errors.js';

const orgId = '11111111-1111-4111-8111-111111111111';
const woo = {
  orgId,
  type: 'woocommerce',
  name: 'Main shop',
  baseUrl: 'https://shop.example.com/',
  credentials: { key: 'ck_abc', secret: 'cs_def' },
};

function issuesOf(input: unknown): string[] {
  try {
    parseNewConnection(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('new connection schema', () => {
  test('woocommerce: base URL normalised, authMode optional', () => {
    const c = parseNewConnection({ ...woo, baseUrl: 'https://Shop.Example.com/store//' });
    expect(c.baseUrl).toBe('https://shop.example.com/store');
    expect(c.settings).toEqual({});
    const oauth = parseNewConnection({ ...woo, settings: { authMode: 'oauth1' } });
    expect(oauth.settings).toEqual({ authMode: 'oauth1' });
  });

  test('woocommerce: key and secret must be ck_/cs_, authMode one of three', () => {
    expect(issuesOf({ ...woo, credentials: { key: 'abc' } })).toEqual([
      'credentials.key: must be a consumer key: ck_…',
      'credentials.secret: is required (WooCommerce consumer secret, cs_…)',
    ]);
    expect(issuesOf({ ...woo, settings: { authMode: 'digest' } })).toEqual([
      'settings.authMode: must be one of basic, oauth1, query',
    ]);
  });

  test('shopify: token required, apiVersion defaults to 2026-10', () => {
    const base = { orgId, type: 'shopify', name: 's', baseUrl: 'https://s.myshopify.com' };
    expect(parseNewConnection({ ...base, credentials: { token: 'shpat_x' } }).settings).toEqual({
      apiVersion: '2026-10',
    });
    expect(
      parseNewConnection({ ...base, credentials: { token: 't' }, settings: { apiVersion: '2025-07' } })
        .settings,
    ).toEqual({ apiVersion: '2025-07' });
    expect(issuesOf({ ...base, credentials: {}, settings: { apiVersion: 'latest' } })).toEqual([
      'credentials.token: is required (Shopify Admin API access token)',
      'settings.apiVersion: must be a dated API version like 2026-10',
    ]);
  });

  test('odoo: db, username and password required', () => {
    const base = { orgId, type: 'odoo', name: 'o', baseUrl: 'http://odoo.local:8069' };
    expect(
      parseNewConnection({ ...base, credentials: { db: 'd', username: 'u', password: 'p' } }),
    ).toMatchObject({
      baseUrl: 'http://odoo.local:8069',
      credentials: { db: 'd', username: 'u', password: 'p' },
    });
    expect(issuesOf({ ...base, credentials: { db: ' ' } })).toEqual([
      'credentials.db: must not be empty (Odoo database name)',
      'credentials.username: is required (Odoo login)',
      'credentials.password: is required (Odoo password or API key)',
    ]);
  });

  test('common fields: org uuid, name 1..255, http(s) URL', () => {
    expect(issuesOf({ ...woo, orgId: 'acme', name: 'x'.repeat(256), baseUrl: 'ftp://shop' })).toEqual([
      'orgId: must be a uuid',
      'name: must be at most 255 characters',
      'baseUrl: must use http or https, not ftp',
    ]);
    expect(issuesOf({ ...woo, name: '' })).toEqual(['name: must not be empty (a name for this connection)']);
    expect(issuesOf({ ...woo, baseUrl: 'shop.example.com' })).toEqual([
      'baseUrl: must be an absolute http(s) URL with its scheme, such as https://shop.example.com',
    ]);
    expect(issuesOf({ ...woo, baseUrl: 'https://u:p@shop.example.com' })).toEqual([
      'baseUrl: must not contain a user or password; pass credentials apart',
    ]);
    expect(issuesOf({ ...woo, baseUrl: 'https://shop.example.com/?a=1' })).toEqual([
      'baseUrl: must not contain a query string or fragment',
    ]);
  });

  test('an unknown or missing type is reported with the other bad fields', () => {
    expect(issuesOf({ ...woo, type: 'magento', orgId: 'x' })).toEqual([
      'type: must be one of woocommerce, odoo, shopify',
      'orgId: must be a uuid',
    ]);
    expect(issuesOf({ orgId })).toEqual([
      'type: is required (one of woocommerce, odoo, shopify)',
      'name: is required (a name for this connection)',
      "baseUrl: is required (the store's base URL)",
    ]);
  });

  test('a base URL carrying keys is refused without repeating them', () => {
    const key = 'ck_in_the_url_4f1d2a7c';
    const secret = 'cs_in_the_url_9b7d5f3a';
    for (const baseUrl of [
      `shop.test/wp-json?consumer_key=${key}&consumer_secret=${secret}`,
      `https://shop.test/wp-json?consumer_key=${key}&consumer_secret=${secret}`,
      `https://${key}:${secret}@shop.test/`,
      `https://shop.test/#${secret}`,
    ]) {
      const issues = issuesOf({ ...woo, baseUrl }).join('\n');
      expect(issues).toMatch(/^baseUrl: /);
      expect(issues).not.toContain(key);
      expect(issues).not.toContain(secret);
      expect(issues).not.toContain('shop.test');
    }
  });

  test('names are normalised (NFC) and refused with control, bidi or zero-width characters', () => {
    const decomposed = 'Cafe\u0301 shop'; // e + combining acute
    expect(parseNewConnection({ ...woo, name: decomposed }).name).toBe('Caf\u00e9 shop');
    for (const bad of [
      'shop\u202Egnp.exe',
      'a\u2066b\u2069',
      'mark\u200F',
      'zero\u200Bwidth',
      'bom\uFEFFx',
    ]) {
      expect(issuesOf({ ...woo, name: bad }), JSON.stringify(bad)).toEqual([
        'name: must not contain bidi-control or zero-width characters (U+202A–U+202E, U+2066–U+2069, U+200B–U+200F…)',
      ]);
    }
    for (const bad of ['line\nbreak', 'tab\there', 'bell\u0007', 'c1\u0085']) {
      expect(issuesOf({ ...woo, name: bad }), JSON.stringify(bad)).toEqual([
        'name: must not contain control characters',
      ]);
    }
  });

  test('unknown fields are refused, at the top and in credentials; settings stay free-form', () => {
    expect(
      issuesOf({
        ...woo,
        owner: 'x',
        credentials: { ...woo.credentials, consumer_secret: 'cs_extra_value' },
      }),
    ).toEqual(['credentials.consumer_secret: is not a known field', 'owner: is not a known field']);
    expect(parseNewConnection({ ...woo, settings: { region: 'eu' } }).settings).toMatchObject({
      region: 'eu',
    });
  });

  test('messages never echo a credential value', () => {
    const issues = issuesOf({ ...woo, credentials: { key: 'cs_swapped_secret', secret: 'ck_swapped_key' } });
    expect(issues.join('\n')).not.toMatch(/swapped/);
  });
});
