// `/messages` and its twins: the filtered queue as a page, as JSON, and as a full CSV/JSON download.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StaleCursorError, queryQueue } from '../../store/queue-repo.ts';
import { codeCounts } from '../../store/overview-repo.ts';
import { queuePage, type QueueData } from '../../../web/templates/queue.ts';
import type { AppContext } from '../app-context.ts';
import { DOWNLOAD_CAP, encodeVerdictExport } from '../../export/verdict-export.ts';
import type { ExportFormat } from '../../export/encode-rows.ts';
import { csrfToken } from '../security.ts';
import { requestUrl, sendHtml, sendJson, twinUrl } from '../pages.ts';
import { QUEUE_QUERY_SCHEMA, parseQueueQuery, queueQueryString, type QueueQuery } from '../queue-query.ts';
import { contentDisposition } from '../download-name.ts';
import { HttpError } from '../errors.ts';

type Req = FastifyRequest<{ Querystring: QueueQuery }>;
const schema = { querystring: QUEUE_QUERY_SCHEMA };

/** One page of the queue; `path` is where its other pages live (the HTML page or its .json twin). */
export function loadQueue(ctx: AppContext, query: QueueQuery, path: '/messages' | '/messages.json'): QueueData {
  const r = parseQueueQuery(query);
  let page;
  try {
    page = queryQueue(ctx.db, r.filter, r.sort, r.position, r.size);
  } catch (e) {
    if (!(e instanceof StaleCursorError)) throw e;
    throw new HttpError(
      400,
      'stale-cursor',
      'this page starts at a message this database does not hold (the link is from another database, or was edited)',
      [{ label: 'the first page of this queue', href: `/messages${queueQueryString(r.params, sizeOf(query))}` }],
    );
  }
  const size = sizeOf(query);
  const pos = page.first ? 1 : r.pos;
  const link = (extra: { _next?: string; _prev?: string; _pos?: number }) => `${path}${queueQueryString(r.params, { ...size, ...extra })}`;
  return {
    filters: r.params,
    sort: r.sort,
    size: r.size,
    total: page.total,
    totalCapped: page.totalCapped,
    pos,
    rows: page.rows,
    next: page.next,
    nextUrl: page.next ? link({ _next: page.next, ...(pos !== null ? { _pos: pos + page.rows.length } : {}) }) : null,
    prevUrl: page.prev && !page.first ? link({ _prev: page.prev, ...(pos !== null ? { _pos: Math.max(1, pos - r.size) } : {}) }) : null,
    firstUrl: page.first ? null : link({}),
    context: queueQueryString(r.params),
  };
}

function sizeOf(query: QueueQuery): { _size?: number } {
  return query._size !== undefined ? { _size: query._size } : {};
}

/** The query string without its empty parameters, or null when it has none (a filter form sends every field). */
export function withoutEmptyParams(url: URL): string | null {
  const kept = new URLSearchParams();
  let dropped = false;
  for (const [k, v] of url.searchParams) {
    if (v.trim() === '') dropped = true;
    else kept.append(k, v);
  }
  if (!dropped) return null;
  const s = kept.toString();
  return `${url.pathname}${s ? `?${s}` : ''}`;
}

export function registerQueueRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: QueueQuery }>('/messages', { schema }, (req, reply) => {
    const url = requestUrl(req);
    // A shared URL should say only what filters it: `?q=&code=&verdict=tampered` becomes `?verdict=tampered`.
    const clean = withoutEmptyParams(url);
    if (clean !== null) return reply.code(303).header('location', clean).send();
    const d = loadQueue(ctx, req.query, '/messages');
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
