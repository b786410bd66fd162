// Every HTML page has a .json twin fed by the same data: one loader, two renderings.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Html } from '../../web/templates/html.ts';
import { csrfToken } from './security.ts';
import type { AppContext } from './app-context.ts';

export interface RenderContext {
  /** The CSRF form token for forms on this page. */
  csrf: string;
  /** The request's path and query (for twin links). */
  url: URL;
}

export interface PageSpec<Q, T> {
  schema?: FastifySchema;
  load: (req: FastifyRequest<{ Querystring: Q }>) => T;
  render: (data: T, rc: RenderContext) => Html;
}

/** The .json twin of a path: `/` → `/.json`, `/-/keys` → `/-/keys.json`. */
export function jsonPath(path: string): string {
  return path === '/' ? '/.json' : `${path}.json`;
}

/** The twin URL of the current request, keeping its query string (but never the token). */
export function twinUrl(url: URL, suffix: '.json' | '.csv', path = url.pathname): string {
  const q = new URLSearchParams(url.search);
  q.delete('token');
  const s = q.toString();
  return `${path === '/' ? '/' : path}${suffix}${s ? `?${s}` : ''}`;
}

export function requestUrl(req: FastifyRequest): URL {
  return new URL(req.url, 'http://localhost');
}

export function sendHtml(reply: FastifyReply, page: Html): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(page.value);
}

export function sendJson(reply: FastifyReply, data: object): FastifyReply {
  return reply.type('application/json; charset=utf-8').send({ ok: true, ...data });
}

export function registerPage<Q, T extends object>(app: FastifyInstance, ctx: AppContext, path: string, spec: PageSpec<Q, T>): void {
  const opts = spec.schema ? { schema: spec.schema } : {};
  app.get<{ Querystring: Q }>(path, opts, (req, reply) => {
    const data = spec.load(req);
    return sendHtml(reply, spec.render(data, { csrf: csrfToken(req, reply, ctx.secret), url: requestUrl(req) }));
  });
  app.get<{ Querystring: Q }>(jsonPath(path), opts, (req, reply) => sendJson(reply, spec.load(req)));
}
