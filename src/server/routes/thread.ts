// `/messages/{sha256}/thread` (+ `.json`): the conversation a message belongs to.
import type { FastifyInstance } from 'fastify';
import { getThread } from '../../store/thread-repo.ts';
import { threadPage } from '../../../web/templates/thread.ts';
import type { AppContext } from '../app-context.ts';
import { notFound } from '../errors.ts';
import { sendHtml, sendJson } from '../pages.ts';
import { threadView, type ThreadView } from '../thread-view.ts';
import { SHA256_PARAMS, typedRoutes } from '../typed-routes.ts';

const schema = {
  params: SHA256_PARAMS,
  querystring: { type: 'object', properties: { token: { type: 'string' } }, additionalProperties: false },
} as const;

export function loadThread(ctx: AppContext, sha256: string): ThreadView {
  const t = getThread(ctx.db, sha256);
  if (!t) throw notFound(`message ${sha256}`);
  return threadView(sha256, t.messages, t.truncated);
}

export function registerThreadRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = typedRoutes(untyped);
  app.get('/messages/:sha256/thread', { schema }, (req, reply) =>
    sendHtml(
      reply,
      threadPage(loadThread(ctx, req.params.sha256), [{ label: 'json', href: `/messages/${req.params.sha256}/thread.json` }]),
    ),
  );
  app.get('/messages/:sha256/thread.json', { schema }, (req, reply) => sendJson(reply, loadThread(ctx, req.params.sha256)));
}
