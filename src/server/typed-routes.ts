// Routes whose request types come from their JSON schemas (@fastify/type-provider-json-schema-to-ts):
// one declaration says both what is accepted and what the handler sees, so the two cannot drift.
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';

/** The same app, with request types inferred from each route's `schema` (written `as const`). */
export function typedRoutes(app: FastifyInstance) {
  return app.withTypeProvider<JsonSchemaToTsProvider>();
}

/** A message id in a path: its SHA-256 in lower-case hex. */
export const SHA256_PATTERN = '^[0-9a-f]{64}$';

/** Path parameters of the routes under /messages/{sha256}/. */
export const SHA256_PARAMS = {
  type: 'object',
  properties: { sha256: { type: 'string', pattern: SHA256_PATTERN } },
  required: ['sha256'],
  additionalProperties: false,
} as const;
