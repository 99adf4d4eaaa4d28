import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/** The API version of the fixture (the one the fake serves). */
export const FIXTURE_API_VERSION = '2026-10';

const FIXTURE = new URL(`../../fixtures/shopify/admin_${FIXTURE_API_VERSION}.json.gz`, import.meta.url);

let cached: GraphQLSchema | undefined;

/** Shopify's real Admin schema (see test/fixtures/shopify/README.md), built once per process. */
export function adminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(FIXTURE)).toString('utf8')) as {
      data?: IntrospectionQuery;
    } & IntrospectionQuery;
    cached = buildClientSchema(json.data ?? json);
  }
  return cached;
}
