import {
  getNamedType,
  parse,
  validate,
  visitWithTypeInfo,
  TypeInfo,
  visit,
  type GraphQLField,
} from 'graphql';
import { describe, expect, test } from 'vitest';
import { DEFAULT_SHOPIFY_API_VERSION } from '../../src/adapters/shopify/api-version.js';
import { bulkQuery } from '../../src/adapters/shopify/bulk-query.js';
import { SHOPIFY_ENTITIES, type ShopifyEntity } from '../../src/adapters/shopify/entities.js';
import {
  BULK_CANCEL_MUTATION,
  BULK_CURRENT_QUERY,
  BULK_POLL_QUERY,
  BULK_RUN_MUTATION,
  countQuery,
  idsQuery,
  nestedQuery,
  pageQuery,
} from '../../src/adapters/shopify/queries.js';
import { estimateQueryCost } from '../../src/adapters/shopify/query-cost.js';
import { requestedCost } from '../fakes/shopify/cost.js';
import { adminSchema, FIXTURE_API_VERSION } from '../fakes/shopify/schema.js';
import { startFakeShopify } from '../fakes/shopify/server.js';

const specs = Object.values(SHOPIFY_ENTITIES) as ShopifyEntity[];

/** Every document the adapter can send, by name. */
function everyQuery(): [string, string][] {
  const queries: [string, string][] = [
    ['bulk run', BULK_RUN_MUTATION],
    ['bulk poll', BULK_POLL_QUERY],
    ['bulk current', BULK_CURRENT_QUERY],
    ['bulk cancel', BULK_CANCEL_MUTATION],
  ];
  for (const spec of specs) {
    queries.push([`${spec.entity} page by id`, pageQuery(spec, 'ID')]);
    queries.push([`${spec.entity} page by updatedAt`, pageQuery(spec, 'UPDATED_AT')]);
    queries.push([`${spec.entity} ids`, idsQuery(spec)]);
    queries.push([`${spec.entity} count`, countQuery(spec)]);
    queries.push([`${spec.entity} bulk export`, bulkQuery(spec)]);
    if (spec.nested) queries.push([`${spec.entity} nested`, nestedQuery(spec)]);
  }
  return queries;
}

/** Deprecated fields a document selects (valid, but the adapter must not lean on them). */
function deprecatedFields(query: string): string[] {
  const schema = adminSchema();
  const info = new TypeInfo(schema);
  const found: string[] = [];
  visit(
    parse(query),
    visitWithTypeInfo(info, {
      Field() {
        const field = info.getFieldDef() as GraphQLField<unknown, unknown> | null;
        if (field?.deprecationReason) found.push(`${info.getParentType()?.name}.${field.name}`);
      },
    }),
  );
  return found;
}

describe('the pinned schema', () => {
  test('the default API version is the fixture version', () => {
    expect(DEFAULT_SHOPIFY_API_VERSION).toBe(FIXTURE_API_VERSION);
  });

  test.each(everyQuery())('%s is valid against Admin %s and selects no deprecated field', (_name, query) => {
    const errors = validate(adminSchema(), parse(query));
    expect(errors.map((e) => e.message)).toEqual([]);
    // currentBulkOperation is deprecated in 2026-10 but the only way to find an orphaned export; it is
    // used for that alone (polling goes through node(id:)).
    expect(deprecatedFields(query).filter((f) => f !== 'QueryRoot.currentBulkOperation')).toEqual([]);
  });

  test('the bulk export of products nests variants as a connection without paging arguments', () => {
    const text = bulkQuery(SHOPIFY_ENTITIES.product!);
    expect(text).toContain('products(sortKey: ID)');
    expect(text).toMatch(/variants \{\s+edges \{\s+node \{/);
    expect(text).not.toContain('pageInfo');
    expect(text).not.toContain('$');
  });

  test.each(specs.map((s) => [s.entity, s] as const))(
    "the adapter's cost estimate of a %s page is Shopify's requested cost",
    (_entity, spec) => {
      for (const first of [1, 37, 250]) {
        const query = pageQuery(spec, 'ID');
        const variables = { first, after: null, query: null };
        expect(estimateQueryCost(query, variables)).toBe(
          requestedCost(adminSchema(), parse(query), variables),
        );
      }
    },
  );
});

describe('the traps the schema shows', () => {
  const fieldOf = (type: string, field: string) =>
    (
      adminSchema().getType(type) as unknown as {
        getFields(): Record<string, GraphQLField<unknown, unknown>>;
      }
    ).getFields()[field]!;

  test('Customer.email and Customer.phone are deprecated; numberOfOrders is an UnsignedInt64', () => {
    expect(fieldOf('Customer', 'email').deprecationReason).toMatch(/defaultEmailAddress/);
    expect(fieldOf('Customer', 'phone').deprecationReason).toMatch(/defaultPhoneNumber/);
    expect(getNamedType(fieldOf('Customer', 'numberOfOrders').type).name).toBe('UnsignedInt64');
  });

  test('counts are Count objects with a precision; bulk output is ungrouped unless asked', () => {
    expect(getNamedType(fieldOf('QueryRoot', 'customersCount').type).name).toBe('Count');
    expect(fieldOf('QueryRoot', 'customersCount').args.map((a) => a.name)).toContain('limit');
    const groupObjects = fieldOf('Mutation', 'bulkOperationRunQuery').args.find(
      (a) => a.name === 'groupObjects',
    )!;
    expect([String(groupObjects.type), groupObjects.defaultValue]).toEqual(['Boolean!', false]);
    // The adapter says so itself rather than lean on a default that changed in 2026-01.
    expect(BULK_RUN_MUTATION).toContain('groupObjects: false');
  });
});

describe('the fake accepts and rejects what Shopify does', () => {
  test('unknown fields and wrong argument types are refused with HTTP 200 and errors; deprecated fields answer', async () => {
    const fake = await startFakeShopify({ customers: 3 });
    try {
      const post = async (query: string, variables: Record<string, unknown> = {}) => {
        const res = await fetch(`${fake.url}/admin/api/${FIXTURE_API_VERSION}/graphql.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': fake.token },
          body: JSON.stringify({ query, variables }),
        });
        return {
          status: res.status,
          body: (await res.json()) as { data?: unknown; errors?: { message: string }[] },
        };
      };
      const unknown = await post('{ customers(first: 2) { nodes { id emailx } } }');
      expect(unknown.status).toBe(200);
      expect(unknown.body.data).toBeUndefined();
      expect(unknown.body.errors?.[0]?.message).toMatch(/emailx/);

      const wrongType = await post('{ customers(first: "two") { nodes { id } } }');
      expect(wrongType.body.errors?.[0]?.message).toMatch(/Int/);

      const deprecated = await post('{ customers(first: 2) { nodes { id email phone } } }');
      expect(deprecated.body.errors).toBeUndefined();
      expect(deprecated.body.data).toMatchObject({
        customers: { nodes: [{ id: expect.stringMatching(/^gid:/) }, {}] },
      });

      const tooMany = await post('query($n: Int!) { customers(first: $n) { nodes { id } } }', { n: 251 });
      expect(tooMany.body.errors?.[0]?.message).toMatch(/250/);

      const tooCostly = await post(
        '{ products(first: 250) { nodes { id variants(first: 250) { nodes { id } } } } }',
      );
      expect(tooCostly.body.errors?.[0]).toMatchObject({ extensions: { code: 'MAX_COST_EXCEEDED' } });
    } finally {
      await fake.close();
    }
  });
});
