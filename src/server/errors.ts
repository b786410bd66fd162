// One error shape for every failure: { ok: false, error: { status, code, message } }, and for a
// browser the same error as a page with navigation. 5xx details are logged with the request, never
// sent (they may quote message content or paths).
import type { Socket } from 'node:net';
import { DatabaseError, translateError } from '../store/database.ts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorPage, type ErrorPageData } from '../../web/templates/error-page.ts';
import { PAGE_CSP } from './response-headers.ts';

export interface ErrorBody {
  ok: false;
  error: { status: number; code: string; message: string };
}

/** An error a route means to send: its message is written for the reviewer. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  /** Where the error page sends the reviewer, before the usual links. */
  readonly links: ErrorPageData['next'];
  constructor(status: number, code: string, message: string, links: ErrorPageData['next'] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.links = links;
  }
}

export function notFound(what: string): HttpError {
  return new HttpError(404, 'not-found', `${what} not found`);
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'bad-request', message);
}

const CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  431: 'header-fields-too-large',
};

/** Longest piece of a request echoed in a message: an address may be kilobytes long. */
const MAX_ECHO = 120;

export function errorBody(status: number, code: string, message: string): ErrorBody {
  return { ok: false, error: { status, code, message } };
}

/**
 * Whether the client is a browser showing a page: it asks for text/html and the address is not a
 * data twin (`.json`, `.csv`) nor a JSON post. Everything else gets the JSON error shape.
 */
export function wantsHtml(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  if (/\.(json|csv)$/.test(path)) return false;
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) return false;
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

/** Where a reviewer can go from a failed request. */
function nextSteps(req: FastifyRequest, status: number): ErrorPageData['next'] {
  if (status === 401) return [];
  const path = req.url.split('?')[0] ?? '/';
  const message = /^\/messages\/([0-9a-f]{64})(?:\/|$)/.exec(path)?.[1];
  const steps: ErrorPageData['next'] = [];
  if (message && req.method === 'POST')
    steps.push({ label: 'back to the message (reload it, then send the form again)', href: `/messages/${message}` });
  else if (message && status !== 404) steps.push({ label: 'the message without the queue context', href: `/messages/${message}` });
  if (path === '/messages' || message) steps.push({ label: 'the queue without filters', href: '/messages' });
  steps.push({ label: 'the overview', href: '/' });
  return steps;
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  links: ErrorPageData['next'] = [],
): FastifyReply {
  const r = reply.code(status).header('cache-control', 'no-store').removeHeader('content-disposition');
  if (wantsHtml(reply.request)) {
    const msg = status === 401 ? `${message}. Open the address the server printed (it ends in ?token=…) once in this browser.` : message;
    return r
      .header('content-type', 'text/html; charset=utf-8')
      .send(errorPage({ status, code, message: msg, next: [...links, ...nextSteps(reply.request, status)] }).value);
  }
  return r.header('content-type', 'application/json; charset=utf-8').send(errorBody(status, code, message));
}

/** One plain sentence from the schema validator's first complaint. */
function validationMessage(err: FastifyError): string {
  const where = err.validationContext === 'querystring' ? 'query parameter' : (err.validationContext ?? 'request');
  const v = err.validation?.[0];
  if (!v) return `invalid ${where}`;
  const extra = (v.params as { additionalProperty?: string }).additionalProperty;
  if (extra !== undefined) return `unknown ${where} "${extra.slice(0, MAX_ECHO)}"`;
  const field = v.instancePath.replace(/^\//, '').replace(/\/\d+$/, '');
  const allowed = (v.params as { allowedValues?: unknown[] }).allowedValues;
  return `${where} ${field ? `"${field}" ` : ''}${v.message ?? 'is invalid'}${allowed ? `: ${allowed.filter((a) => a !== '').join(', ')}` : ''}`;
}

function handle(err: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof HttpError) {
    if (err.status >= 500) req.log.error({ err, url: req.url, method: req.method }, 'request failed');
    return sendError(reply, err.status, err.code, err.message, err.links);
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (err.validation) return sendError(reply, 400, 'bad-request', validationMessage(err));
  if (status === 414) return sendError(reply, 414, CODES[414] as string, URI_TOO_LONG);
  if (status >= 400 && status < 500) return sendError(reply, status, CODES[status] ?? 'bad-request', err.message.slice(0, 300));
  // A review on write-protected media, a full disk, an import holding the lock too long: the user's words, not a 500.
  const db = translateError('the database', err);
  if (db instanceof DatabaseError && ['db/read-only', 'db/full', 'db/busy'].includes(db.code))
    return sendError(reply, 503, 'database-unavailable', `${db.message}; nothing was saved`);
  req.log.error({ err, url: req.url, method: req.method }, 'request failed');
  return sendError(reply, 500, 'internal', `internal error; the server log has the details (request ${req.id})`);
}

const URI_TOO_LONG = 'the address is longer than this server accepts';

/**
 * Errors the router meets before any route runs (a path segment too long, a malformed escape): the
 * same shape, and never the path itself, which may be kilobytes long.
 */
export function frameworkError(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  // No hook has run, so helmet has not set the strict headers: the ones that matter for a page.
  reply.header('content-security-policy', PAGE_CSP).header('x-content-type-options', 'nosniff').header('x-frame-options', 'DENY');
  void sendError(reply, tooLong ? 414 : 400, tooLong ? 'uri-too-long' : 'bad-request', tooLong ? URI_TOO_LONG : 'the address is malformed');
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers too large, a timeout, bytes
 * that are not HTTP): answered on the socket in the same shape, then the connection is closed.
 */
export function clientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request headers are larger than this server accepts']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request took too long to arrive']
        : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify(errorBody(status, CODES[status] ?? 'bad-request', message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        'X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(err);
}

export function registerErrors(app: FastifyInstance): void {
  app.setErrorHandler(handle);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const shown = path.length > MAX_ECHO ? `${path.slice(0, MAX_ECHO)}…` : path;
    return sendError(reply, 404, 'not-found', `no page at ${req.method} ${shown}`);
  });
}
