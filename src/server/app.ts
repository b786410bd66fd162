// The review server as a Fastify plugin, and the function that builds an app around it. The start
// file only listens; tests build this exact app and use inject().
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import { HELMET_OPTIONS } from './response-headers.ts';
import type { Db } from '../store/database.ts';
import type { AppContext, CheckDoc } from './app-context.ts';
import { checks as messageChecks } from '../checks/index.ts';
import { archiveCopies } from '../checks/archive-copies.ts';
import { archiveThread } from '../checks/archive-thread.ts';
import { clientError, frameworkError, registerErrors } from './errors.ts';
import { registerStaticAssets } from './static-assets.ts';
import { registerSecurity } from './security.ts';
import { registerOverviewRoutes } from './routes/overview.ts';
import { registerQueueRoutes } from './routes/queue.ts';
import { registerMessageRoutes } from './routes/message.ts';
import { registerReviewRoutes } from './routes/review.ts';
import { registerMetaRoutes } from './routes/meta.ts';
import { registerEvidenceRoutes } from './routes/evidence.ts';
import { registerThreadRoutes } from './routes/thread.ts';

export interface ReviewServerOptions {
  /** An open database (openDatabase: WAL, migrations applied). Every request reads a fresh snapshot. */
  db: Db;
  /** Access token required on every request; null or absent: none. */
  token?: string | null;
  /** Refuse non-loopback Host headers; default: on when there is no token. */
  checkHost?: boolean;
  /** CSRF HMAC key; default: random per process. */
  secret?: Buffer;
  /** The checks whose codes the checks page explains; default: the per-message registry and the archive checks. */
  checks?: readonly CheckDoc[] | null;
}

/** Every check that can leave a finding: the per-message registry, then the archive-wide checks. */
const DEFAULT_CHECKS: readonly CheckDoc[] = [...messageChecks, archiveCopies, archiveThread];

/** Form posts are small: a decision, a note, a name. */
const FORM_LIMIT = 64 * 1024;

const registerReviewServer: FastifyPluginAsync<ReviewServerOptions> = async (app, opts) => {
  const token = opts.token ?? null;
  const secret = opts.secret ?? randomBytes(32);
  const ctx: AppContext = { db: opts.db, secret, checks: opts.checks !== undefined ? opts.checks : DEFAULT_CHECKS };
  // Awaited, so that their hooks run before ours: every answer, even a refusal, carries the strict
  // headers, and the security hook reads the parsed cookies.
  await app.register(fastifyHelmet, HELMET_OPTIONS);
  await app.register(fastifyCookie);
  // A field given twice keeps its last value (one string per field, as the routes' schemas expect).
  await app.register(fastifyFormbody, { bodyLimit: FORM_LIMIT, parser: (body) => Object.fromEntries(new URLSearchParams(body)) });
  registerErrors(app);
  registerSecurity(app, { token, checkHost: opts.checkHost ?? token === null, secret });
  registerStaticAssets(app);
  registerOverviewRoutes(app, ctx);
  registerQueueRoutes(app, ctx);
  registerMessageRoutes(app, ctx);
  registerThreadRoutes(app, ctx);
  registerReviewRoutes(app, ctx);
  registerMetaRoutes(app, ctx);
  registerEvidenceRoutes(app, ctx);
};

/**
 * The review server as a plugin. fastify-plugin lifts encapsulation: its hooks, error handler and
 * content-type parser apply to the app it is registered on, not to a child context of its own.
 */
export const reviewServer = fastifyPlugin(registerReviewServer, { fastify: '5.x', name: 'leaktriage-review-server' });

export interface AppOptions extends ReviewServerOptions {
  logger?: FastifyServerOptions['logger'];
  /** Close the database when the app closes. */
  closeDb?: boolean;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: FORM_LIMIT,
    // Unknown query parameters are refused, not silently dropped: a typo must not widen a filter.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
  });
  if (opts.closeDb) app.addHook('onClose', async () => opts.db.close());
  await app.register(reviewServer, opts);
  return app;
}
