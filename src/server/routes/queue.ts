// `/messages` and its twins: the filtered queue as a page, as JSON, and as a full CSV/JSON download.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryQueue } from '../../store/queue-repo.ts';
import { codeCounts } from '../../store/overview-repo.ts';
import { queuePage, type QueueData } from '../../../web/templates/queue.ts';
import type { AppContext } from '../app-context.ts';
import { DOWNLOAD_CAP, encodeVerdictExport } from '../../export/verdict-export.ts';
import type { ExportFormat } from '../../export/encode-rows.ts';
import { csrfToken } from '../security.ts';
import { requestUrl, sendHtml, sendJson, twinUrl } from '../pages.ts';
import { QUEUE_QUERY_SCHEMA, encodeCursor, parseQueueQuery, queueQueryString, type QueueQuery } from '../queue-query.ts';
import { contentDisposition } from '../download-name.ts';

type Req = FastifyRequest<{ Querystring: QueueQuery }>;
const schema = { querystring: QUEUE_QUERY_SCHEMA };

/** One page of the queue; `path` is where its next page lives (the HTML page or its .json twin). */
export function loadQueue(ctx: AppContext, query: QueueQuery, path: '/messages' | '/messages.json'): QueueData {
  const r = parseQueueQuery(query);
  const page = queryQueue(ctx.db, r.filter, r.sort, r.cursor, r.size);
  const next = page.next ? encodeCursor(page.next) : null;
  const sizeParam = query._size !== undefined ? { _size: query._size } : {};
  return {
    filters: r.params,
    sort: r.sort,
    size: r.size,
    total: page.total,
    rows: page.rows,
    next,
    nextUrl: next ? `${path}${queueQueryString(r.params, { ...sizeParam, _next: next })}` : null,
    context: queueQueryString(r.params),
  };
}

export function registerQueueRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: QueueQuery }>('/messages', { schema }, (req, reply) => {
    const d = loadQueue(ctx, req.query, '/messages');
    const url = requestUrl(req);
    const codes = codeCounts(ctx.db).map((c) => c.code);
    csrfToken(req, reply, ctx.secret);
    return sendHtml(
      reply,
      queuePage(d, codes, [
        { label: 'json', href: twinUrl(url, '.json') },
        { label: 'csv', href: `/messages.csv${d.context}` },
      ]),
    );
  });
  app.get<{ Querystring: QueueQuery }>('/messages.json', { schema }, (req, reply) =>
    sendJson(reply, loadQueue(ctx, req.query, '/messages.json')),
  );
  /** The whole filtered queue (not one page) as a download, streamed in queue order. */
  const download = (format: ExportFormat, type: string) => (req: Req, reply: FastifyReply) => {
    const r = parseQueueQuery(req.query);
    return reply
      .type(type)
      .header('content-disposition', contentDisposition(`leaktriage-export.${format}`))
      .send(Readable.from(encodeVerdictExport(ctx.db, r.filter, r.sort, format, { cap: DOWNLOAD_CAP })));
  };
  const csv = download('csv', 'text/csv; charset=utf-8');
  app.get<{ Querystring: QueueQuery }>('/messages.csv', { schema }, csv);
  app.get<{ Querystring: QueueQuery }>('/-/export.csv', { schema }, csv);
  app.get<{ Querystring: QueueQuery }>('/-/export.json', { schema }, download('json', 'application/json; charset=utf-8'));
}
