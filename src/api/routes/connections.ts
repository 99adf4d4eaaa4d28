import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { builtInSources } from '../../adapters/registry.js';
import { createConnection, listConnections } from '../../connections/connection-repository.js';
import {
  newConnectionSchema,
  parseNewConnection,
  type NewConnection,
} from '../../connections/connection-schema.js';
import { ConfigError, ErrorCodes, SyncWorkerError, ValidationError } from '../../errors.js';
import { secured, type ApiContext } from '../context.js';
import { connectionSummary, errorResponses, responseOf } from '../openapi-schemas.js';
import { currentUserOrg } from '../rls.js';
import { jsonSchema, parseRequest } from '../validation.js';

const body = z.looseObject({}, { error: 'must be a JSON object describing the connection' });

const PLACEHOLDER_ORG = '00000000-0000-4000-8000-000000000000';

/** parseNewConnection, with issue paths under `body.` like every other request error. */
function validateConnection(input: unknown): NewConnection {
  try {
    return parseNewConnection(input);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const issues = err.issues.map((i) => `body.${i}`);
    throw new ValidationError(`invalid connection: ${issues.join('; ')}`, issues);
  }
}

/** The documented body: the connection schema with orgId optional (it is the caller's own). */
function connectionBodyDoc(): Record<string, unknown> {
  const schema = jsonSchema(newConnectionSchema);
  for (const variant of (schema.oneOf ?? []) as { required?: string[] }[]) {
    variant.required = variant.required?.filter((key) => key !== 'orgId');
  }
  return schema;
}

/** `woocommerce: key, secret; odoo: db, username, password; …` from the definitions' CLI flags. */
function credentialFields(): string {
  return builtInSources.definitions
    .map((d) => {
      const fields = d.cliFlags.filter((f) => f.path.startsWith('credentials.')).map((f) => f.path.slice(12));
      return `${d.type}: ${fields.join(', ')}`;
    })
    .join('; ');
}

function noOrg(): SyncWorkerError {
  return new SyncWorkerError(
    ErrorCodes.FORBIDDEN,
    'your user belongs to no organisation (auth.users_extended)',
  );
}

/** GET/POST /connections: the user's org's stores; credentials go in, never out. */
export function registerConnectionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/connections',
    {
      schema: {
        ...secured,
        tags: ['connections'],
        summary: "The connections of the user's organisation (never their credentials)",
        response: {
          200: responseOf(z.object({ connections: z.array(connectionSummary) }), 'connections by name'),
          ...errorResponses(401),
        },
      },
    },
    async (request) => {
      const connections = await ctx.asUser(request.userId, async (tx) => {
        const orgId = await currentUserOrg(tx);
        return orgId ? listConnections(tx, orgId) : [];
      });
      return { connections };
    },
  );

  app.post(
    '/connections',
    {
      schema: {
        ...secured,
        tags: ['connections'],
        summary: "Adds a connection to the user's organisation; credentials are encrypted at rest",
        description:
          'The body is that of `sync-worker connection add`: type, name, baseUrl, credentials ' +
          `(${credentialFields()}), settings. orgId is the user's own and may be left out.`,
        body: connectionBodyDoc(),
        response: {
          201: responseOf(connectionSummary, 'the connection, without credentials'),
          ...errorResponses(400, 401, 403, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const input = parseRequest(body, request.body, 'body');
      const key = ctx.encryptionKey;
      if (!key) throw new ConfigError(['SYNC_ENCRYPTION_KEY: is required to create connections']);
      // Validate, and check the host against the egress policy (a DNS lookup), before opening a
      // transaction (orgId is filled in below).
      const valid = validateConnection({ ...input, orgId: input.orgId ?? PLACEHOLDER_ORG });
      await ctx.runtime.egress.policy.checkUrl(valid.baseUrl);
      const created = await ctx.asUser(request.userId, async (tx) => {
        const orgId = await currentUserOrg(tx);
        if (!orgId) throw noOrg();
        if (input.orgId !== undefined && input.orgId !== orgId) {
          throw new SyncWorkerError(
            ErrorCodes.FORBIDDEN,
            'orgId: connections can only be added to your own organisation',
          );
        }
        return createConnection(tx, key, { ...input, orgId });
      });
      return reply.code(201).send(created);
    },
  );
}
