import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies only (any other media type is a 415), through Fastify's own
 * JSON parser (prototype-poisoning safe), except that an empty body is no
 * body: `POST /syncs/:id/cancel` with `Content-Type: application/json` and
 * nothing else is fine.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(request, text, done);
  });
}
