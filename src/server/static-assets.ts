// The review screens' CSS and script, read once from web/static and served from memory. Nothing is
// loaded from elsewhere: the pages must work offline.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { notFound } from './errors.ts';

export const STATIC_DIR = fileURLToPath(new URL('../../web/static/', import.meta.url));

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
};

export function registerStaticAssets(app: FastifyInstance, dir: string = STATIC_DIR): void {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[name.split('.').pop() ?? ''];
    if (type) files.set(name, { body: readFileSync(join(dir, name)), type });
  }
  app.get<{ Params: { name: string } }>('/-/static/:name', (req, reply) => {
    const f = files.get(req.params.name);
    if (!f) throw notFound(`asset ${req.params.name}`);
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  });
}
