// `/messages/{sha256}` (+ `.json`) and the message's files: raw bytes, HTML body, attachments.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getAttachmentSource, getMessageDetail, getMessageHtml, getRawDownload, getRecordedReview } from '../../store/message-page-repo.ts';
import { listHtmlReferences } from '../html-references.ts';
import { queueNeighbours } from '../../store/queue-repo.ts';
import { messagePage } from '../../../web/templates/message.ts';
import type { AppContext } from '../app-context.ts';
import { extractAttachment, storedHtmlText } from '../../parse/parse-message.ts';
import { contentDisposition, emlFileName, safeFileName } from '../download-name.ts';
import { HttpError, notFound } from '../errors.ts';
import { messageView, type MessageView } from '../message-view.ts';
import { prepareMessageHtml } from '../html-body.ts';
import { sendHtml, sendJson } from '../pages.ts';
import { QUEUE_QUERY_SCHEMA, parseQueueQuery, queueQueryString, type QueueQuery } from '../queue-query.ts';
import { DOWNLOAD_CSP, MESSAGE_HTML_CSP, csrfToken } from '../security.ts';
import { SHA256_PARAMS, SHA256_PATTERN, typedRoutes } from '../typed-routes.ts';

export const REVIEWER_COOKIE = 'lt_reviewer';

/** The message page takes the queue's parameters (its context) and the id of a decision just recorded. */
type MessageQuery = QueueQuery & { _recorded?: number };
const MESSAGE_QUERY_SCHEMA = {
  ...QUEUE_QUERY_SCHEMA,
  properties: { ...QUEUE_QUERY_SCHEMA.properties, _recorded: { type: 'integer', minimum: 1 } },
} as const;

/** Where another part of the server may offer a download of the message (the evidence bundle). */
const BUNDLE_ROUTE = '/messages/:sha256/bundle.zip';

export function loadMessage(ctx: AppContext, sha256: string, query: MessageQuery): MessageView {
  const { _recorded, ...queue } = query;
  const q = parseQueueQuery(queue);
  const detail = getMessageDetail(ctx.db, sha256);
  if (!detail) throw notFound(`message ${sha256}`);
  const html = detail.message.hasHtml ? storedHtmlText(getMessageHtml(ctx.db, sha256) ?? null) : null;
  return messageView(detail, queueNeighbours(ctx.db, q.filter, q.sort, sha256), {
    htmlReferences: typeof html === 'string' ? listHtmlReferences(html) : null,
    recorded: _recorded !== undefined ? (getRecordedReview(ctx.db, _recorded) ?? null) : null,
  });
}

function sendMessagePage(
  app: FastifyInstance,
  ctx: AppContext,
  req: FastifyRequest<{ Params: { id: string }; Querystring: MessageQuery }>,
  reply: FastifyReply,
) {
  const m = /^([0-9a-f]{64})(\.json)?$/.exec(req.params.id);
  if (!m?.[1]) throw notFound(`message ${req.params.id}`);
  const view = loadMessage(ctx, m[1], req.query);
  if (m[2]) return sendJson(reply, view);
  const { _recorded: _r, ...queue } = req.query;
  const context = queueQueryString(parseQueueQuery(queue).params);
  const downloads = [{ label: 'raw .eml', href: `/messages/${m[1]}/raw`, id: 'raw-link' }];
  if (app.hasRoute({ method: 'GET', url: BUNDLE_ROUTE })) {
    downloads.push({ label: 'evidence bundle (.zip)', href: `/messages/${m[1]}/bundle.zip`, id: 'bundle-link' });
  }
  return sendHtml(
    reply,
    messagePage(view, {
      csrf: csrfToken(req, reply, ctx.secret),
      context,
      reviewer: req.cookies[REVIEWER_COOKIE] ?? '',
      twins: [{ label: 'json', href: `/messages/${m[1]}.json${context}` }],
      downloads,
    }),
  );
}

export function registerMessageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = typedRoutes(app);
  app.get<{ Params: { id: string }; Querystring: MessageQuery }>(
    '/messages/:id',
    { schema: { querystring: MESSAGE_QUERY_SCHEMA, params: { type: 'object', properties: { id: { type: 'string', maxLength: 80 } } } } },
    (req, reply) => sendMessagePage(app, ctx, req, reply),
  );

  typed.get('/messages/:sha256/raw', { schema: { params: SHA256_PARAMS } }, (req, reply) => {
    const row = getRawDownload(ctx.db, req.params.sha256);
    if (!row) throw notFound(`message ${req.params.sha256}`);
    return reply
      .type('message/rfc822')
      .header('content-disposition', contentDisposition(emlFileName(row.subject, req.params.sha256)))
      .header('content-security-policy', DOWNLOAD_CSP)
      .send(row.raw);
  });

  typed.get('/messages/:sha256/html', { schema: { params: SHA256_PARAMS } }, (req, reply) => {
    const stored = getMessageHtml(ctx.db, req.params.sha256);
    if (stored === undefined) throw notFound(`message ${req.params.sha256}`);
    const body = storedHtmlText(stored);
    if (body === null) throw notFound(`HTML body of message ${req.params.sha256}`);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', MESSAGE_HTML_CSP)
      .header('x-frame-options', 'SAMEORIGIN')
      .send(prepareMessageHtml(body));
  });

  typed.get(
    '/messages/:sha256/attachments/:idx',
    {
      schema: {
        params: {
          type: 'object',
          properties: { sha256: { type: 'string', pattern: SHA256_PATTERN }, idx: { type: 'integer', minimum: 0, maximum: 100000 } },
          required: ['sha256', 'idx'],
        },
      },
    },
    async (req, reply) => {
      const src = getAttachmentSource(ctx.db, req.params.sha256, req.params.idx);
      if (!src) throw notFound(`attachment ${req.params.idx} of message ${req.params.sha256}`);
      const a = src.attachment;
      const found = await extractAttachment(src.raw, a.sha256, a.index);
      if (!found) throw new HttpError(500, 'internal', 'the stored bytes do not yield this attachment');
      // Always a download of opaque bytes: an HTML or SVG attachment must never render on our origin.
      return reply
        .type('application/octet-stream')
        .header('content-disposition', contentDisposition(safeFileName(a.filename, `attachment-${a.index}.bin`)))
        .header('content-security-policy', DOWNLOAD_CSP)
        .send(found.content);
    },
  );
}
