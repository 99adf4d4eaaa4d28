import {
  defaultFieldResolver,
  execute,
  getNamedType,
  GraphQLError,
  isCompositeType,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { requestedCost, type CostBucket } from './cost.js';

/** Shopify refuses a single query above this requested cost. */
export const MAX_SINGLE_QUERY_COST = 1000;

export interface Trouble {
  /** `Type.field` names answered ACCESS_DENIED (a missing access scope): partial data with errors. */
  denied: Set<string>;
  /** `Type.field` → how many more times it fails with INTERNAL_SERVER_ERROR. */
  internalErrors: Map<string, number>;
}

export interface GraphqlAnswer {
  body: Record<string, unknown>;
  throttled: boolean;
}

interface CostCounter {
  actual: number;
}

/**
 * One GraphQL request as Shopify answers it, all with HTTP 200: syntax and
 * validation errors on the real schema, MAX_COST_EXCEEDED, THROTTLED (no
 * data) when the bucket is short of the requested cost, otherwise the result
 * with field errors beside partial data, and `extensions.cost` every time.
 */
export function answerGraphql(options: {
  schema: GraphQLSchema;
  bucket: CostBucket;
  query: unknown;
  variables: unknown;
  rootValue: Record<string, unknown>;
  trouble: Trouble;
}): GraphqlAnswer {
  const { schema, bucket } = options;
  if (typeof options.query !== 'string')
    return plain({ errors: [{ message: 'Parameter Missing or Invalid' }] });
  let document: DocumentNode;
  try {
    document = parse(options.query);
  } catch (err) {
    return plain({ errors: [(err as GraphQLError).toJSON()] });
  }
  const invalid = validate(schema, document);
  if (invalid.length) return plain({ errors: invalid.map((e) => e.toJSON()) });
  const variables = (options.variables ?? {}) as Record<string, unknown>;
  const requested = requestedCost(schema, document, variables);
  if (requested > MAX_SINGLE_QUERY_COST) {
    return plain({
      errors: [
        {
          message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`,
          extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_SINGLE_QUERY_COST },
        },
      ],
      extensions: { cost: costExtension(requested, null, bucket) },
    });
  }
  if (!bucket.charge(requested)) {
    return {
      throttled: true,
      body: {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: { cost: costExtension(requested, null, bucket) },
      },
    };
  }
  const counter: CostCounter = { actual: 0 };
  const result = execute({
    schema,
    document,
    rootValue: options.rootValue,
    variableValues: variables,
    contextValue: counter,
    fieldResolver: troubleResolver(options.trouble),
  });
  if ('then' in result) throw new Error('asynchronous resolvers are not expected');
  const mutation = document.definitions.some(
    (d) => d.kind === 'OperationDefinition' && d.operation === 'mutation',
  );
  const actual = mutation ? 10 : Math.min(requested, counter.actual);
  bucket.refund(requested - actual);
  return {
    throttled: false,
    body: {
      ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
      data: result.data ?? null,
      extensions: { cost: costExtension(requested, actual, bucket) },
    },
  };
}

function plain(body: Record<string, unknown>): GraphqlAnswer {
  return { throttled: false, body };
}

function costExtension(requested: number, actual: number | null, bucket: CostBucket) {
  return { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() };
}

/** Fails the fields a test names, and counts the actual cost of what resolves. */
function troubleResolver(trouble: Trouble): GraphQLFieldResolver<unknown, CostCounter> {
  return (source, args, context, info) => {
    const key = `${info.parentType.name}.${info.fieldName}`;
    if (trouble.denied.has(key)) {
      throw new GraphQLError(`Access denied for ${info.fieldName} field.`, {
        extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes' },
      });
    }
    const failures = trouble.internalErrors.get(key) ?? 0;
    if (failures > 0) {
      trouble.internalErrors.set(key, failures - 1);
      throw new GraphQLError('Internal error. Looks like something went wrong on our end.', {
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    }
    const value: unknown = defaultFieldResolver(source, args, context, info);
    const named = getNamedType(info.returnType);
    if (isCompositeType(named) && value !== null && value !== undefined) {
      if (named.name.endsWith('Connection')) context.actual += 2;
      else if (!named.name.endsWith('Edge') && named.name !== 'PageInfo') {
        context.actual += Array.isArray(value) ? value.length : 1;
      }
    }
    return value;
  };
}
