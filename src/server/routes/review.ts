// POST /messages/{sha256}/reviews: record a reviewer's decision (form or JSON), CSRF-checked.
import type { FastifyInstance } from 'fastify';
import { VERDICTS } from '../../model.ts';
import { REVIEW_DECISIONS, insertReview } from '../../store/review-repo.ts';
import { queueNeighbours } from '../../store/queue-repo.ts';
import type { AppContext } from '../app-context.ts';
import { HttpError, badRequest, notFound } from '../errors.ts';
import { parseQueueQuery, queueParamsFromString, queueQueryString } from '../queue-query.ts';
import { COOKIE_OPTIONS, csrfProblem } from '../security.ts';
import { REVIEWER_COOKIE } from './message.ts';
import { SHA256_PARAMS, typedRoutes } from '../typed-routes.ts';

const bodySchema = {
  type: 'object',
  required: ['decision', 'reviewer'],
  properties: {
    decision: { type: 'string', enum: [...REVIEW_DECISIONS] },
    verdict: { type: 'string', enum: [...VERDICTS, ''] },
    note: { type: 'string', maxLength: 4000 },
    reviewer: { type: 'string', minLength: 1, maxLength: 100 },
    _csrf: { type: 'string', maxLength: 200 },
    _queue: { type: 'string', maxLength: 4000 },
    _then: { type: 'string', enum: ['next', ''] },
  },
  additionalProperties: false,
} as const;

function clean(s: string | undefined): string {
  return (s ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\n' ? '\n' : ' '))
    .replace(/\r/g, '')
    .trim();
}

export function registerReviewRoutes(app: FastifyInstance, ctx: AppContext): void {
  typedRoutes(app).post(
    '/messages/:sha256/reviews',
    {
      schema: { params: SHA256_PARAMS, body: bodySchema },
      // Before validation: a cross-site request is refused whatever it carries.
      preValidation: async (req) => {
        const body = (req.body ?? {}) as { _csrf?: unknown };
        const header = req.headers['x-csrf-token'];
        const token = typeof body._csrf === 'string' ? body._csrf : typeof header === 'string' ? header : undefined;
        const problem = csrfProblem(req, token, ctx.secret);
        if (problem) throw new HttpError(403, 'csrf', problem);
      },
    },
    (req, reply) => {
      const b = req.body;
      const reviewer = clean(b.reviewer);
      const note = clean(b.note);
      if (!reviewer) throw badRequest('the reviewer name is required');
      if (b.decision === 'override' && !b.verdict) throw badRequest('an override needs the verdict to set');
      if (b.decision === 'override' && !note) throw badRequest('an override needs a note saying why');
      const review = insertReview(ctx.db, {
        sha256: req.params.sha256,
        decision: b.decision,
        verdict: b.decision === 'override' ? b.verdict || null : null,
        note,
        reviewer,
      });
      if (!review) throw notFound(`message ${req.params.sha256}`);
      reply.setCookie(REVIEWER_COOKIE, reviewer, COOKIE_OPTIONS);
      if ((req.headers['content-type'] ?? '').startsWith('application/json')) return reply.code(201).send({ ok: true, review });
      const queue = queueParamsFromString(b._queue);
      const context = queueQueryString(queue);
      let target = req.params.sha256;
      if (b._then === 'next') {
        const q = parseQueueQuery(queue);
        target = queueNeighbours(ctx.db, q.filter, q.sort, req.params.sha256).next ?? target;
      }
      // The page it leads to confirms the decision and says where the queue goes on.
      const recorded = `${context ? `${context}&` : '?'}_recorded=${review.id}`;
      return reply.code(303).header('location', `/messages/${target}${recorded}#recorded`).send();
    },
  );
}
