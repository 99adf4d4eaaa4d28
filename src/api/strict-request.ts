import type { FastifyRequest } from 'fastify';
import { nothing, parseRequest } from './validation.js';

/**
 * preValidation hook of the /api/v1 scope: a route that declares no query
 * string takes none, one that declares no body takes none (or an empty
 * one), so an unknown field is refused on every route, not ignored. Routes
 * that take them validate them with strict schemas of their own.
 */
export async function refuseUndeclaredInput(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema;
  if (!schema?.querystring) parseRequest(nothing, request.query, 'query');
  if (!schema?.body && request.body !== undefined) parseRequest(nothing, request.body, 'body');
}
